import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskReport

@Suite struct MapPageTests {
    @Test func writesTheDemoPage() async throws {
        let html = MapPage.html(try await demo.value.scene)
        try html.write(toFile: "/tmp/routerisk-demo.html", atomically: true, encoding: .utf8)
    }
}


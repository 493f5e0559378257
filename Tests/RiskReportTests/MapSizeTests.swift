import Foundation
import Geo
import RiskCore
import RiskSynth
import Testing
@testable import RiskReport

/// The size budget of a page for 10,000 routes (docs/html-report.md): 20 MB, with 5,000
/// incidents and the demo's zones. The routes are the synthetic generator's (100 to 800 km,
/// a vertex every 5 km); their figures are made up here with realistic magnitudes, since only
/// the page's size is measured.
@Suite struct MapSizeTests {
    static let budgetBytes = 20_000_000

    static func largeScene() async throws -> MapScene {
        let demo = try await demo.value
        let synthetic = SyntheticPakistan(seed: 7)
        let routes = synthetic.routes(count: 10_000)
        let incidents = synthetic.incidents(count: 5_000, end: demoTime)
        let data = try ScoringData(incidents: incidents, zones: demo.data.zones, model: demo.data.model)
        var random = SeededRandom(seed: 11)
        let zones = demo.data.zones
        let scored = try routes.enumerated().map { index, route -> MapScene.Scored in
            let length = try Geodesic.wgs84.lengthKm(of: route.shape)
            let exposure = random.uniform(1, 900)
            let top = (0..<5).map { k in
                IncidentContribution(id: incidents[Int(random.next() % 5_000)].id, exposure: exposure / Double(k + 2),
                                     share: random.uniform(0, 1), closestKm: random.uniform(0, 30), atKm: random.uniform(0, length))
            }
            let score = data.model.score(exposure: exposure)
            let result = RouteResult(
                id: route.id, name: "Synthetic route \(index) along a corridor", evaluatedAt: demoTime, lengthKm: length,
                exposure: exposure, baseExposure: exposure * 0.1, incidentExposure: exposure * 0.9, meanHazard: exposure / length,
                peakHazard: random.uniform(0, 20), peakAtKm: random.uniform(0, length), peakLocation: route.shape.coordinates[3],
                score: score, band: data.model.band(score: score),
                zones: (0..<3).map { _ in let z = zones[Int(random.next() % UInt64(zones.count))]; return ZoneLength(id: z.id, name: z.name, km: random.uniform(0, length)) },
                topIncidents: top)
            return MapScene.Scored(rank: index + 1, result: result, shape: route.shape)
        }
        return try MapScene.build(kind: .score, title: "10,000 synthetic routes", mapTime: demoTime, scored: scored, data: data)
    }

    @Test func tenThousandRoutesStayUnderTheBudget() async throws {
        let started = Date()
        let html = MapPage.html(try await MapSizeTests.largeScene())
        let bytes = html.utf8.count
        print(String(format: "map page for 10,000 routes: %.2f MB (budget %.0f MB), made in %.1f s", Double(bytes) / 1e6,
                     Double(MapSizeTests.budgetBytes) / 1e6, Date().timeIntervalSince(started)))
        if let path = ProcessInfo.processInfo.environment["ROUTERISK_LARGE_PAGE"] {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(bytes < MapSizeTests.budgetBytes)
    }

    /// Opens the large page written by the test above (set ROUTERISK_LARGE_PAGE) and times its
    /// first drawing and a drag: the figures in docs/html-report.md.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ROUTERISK_LARGE_PAGE"] != nil && Browser.executable != nil))
    func largePagePansSmoothly() throws {
        let path = ProcessInfo.processInfo.environment["ROUTERISK_LARGE_PAGE"]!
        guard FileManager.default.fileExists(atPath: path) else { return }
        let b = try Browser()
        try b.openPage()
        try b.load(URL(fileURLWithPath: path))
        let rendered = try b.evaluate("Number(document.documentElement.dataset.renderedAfterMs)").numberValue ?? -1
        try b.call("Input.dispatchMouseEvent", [.init("type", "mousePressed"), .init("x", 500), .init("y", 400), .init("button", "left"), .init("clickCount", 1)])
        var steps: [Double] = []
        for k in 1...40 {
            let t = Date()
            try b.call("Input.dispatchMouseEvent", [.init("type", "mouseMoved"), .init("x", .number(500 + Double(k) * 5)), .init("y", 400),
                                                   .init("button", "left"), .init("buttons", 1)])
            steps.append(Date().timeIntervalSince(t) * 1000)
        }
        let t = Date()
        try b.call("Input.dispatchMouseEvent", [.init("type", "mouseReleased"), .init("x", 700), .init("y", 400), .init("button", "left"), .init("clickCount", 1)])
        let full = Date().timeIntervalSince(t) * 1000
        steps.sort()
        print(String(format: "large page: drawn %.0f ms after navigation start; drag step median %.1f ms, worst %.1f ms; full redraw on release %.0f ms",
                     rendered, steps[steps.count / 2], steps.last!, full))
        #expect(b.problems.isEmpty, "\(b.problems)")
    }
}

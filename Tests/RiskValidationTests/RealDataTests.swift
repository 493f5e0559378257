import Foundation
import Testing
import Geo
import RiskCore
import RiskIO
import RiskSynth
@testable import RiskValidation

/// The real Pakistan suicide-attack file and Natural Earth towns, read in place from
/// ../shared/data (or `ROUTERISK_SHARED_DATA`); skipped with a message when absent. A bounded
/// subset (routes between towns up to 150 km apart, two cuts) keeps it fast; `make validate`
/// runs the full figures of docs/validation.md.
@Suite struct RealDataTests {
    static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["ROUTERISK_SHARED_DATA"] { return URL(fileURLWithPath: path) }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()
    static let attacks = root.appendingPathComponent("incidents/pakistan_suicide_attacks_v11_2017-11-30.csv")
    static let towns = root.appendingPathComponent("points/ne_10m_populated_places_PAK.geojson")

    static let present = FileManager.default.fileExists(atPath: attacks.path) && FileManager.default.fileExists(atPath: towns.path)

    @Test(.enabled(if: present, "skipped: the suicide-attack file or the towns are not present in ../shared/data"))
    func modelBeatsChanceOnHeldOutYears() async throws {
        let reader = IncidentReader(columns: ["date": "Date", "lat": "Latitude", "lon": "Longitude", "killed": "Killed Max",
                                              "injured": "Injured Max"])
        let incidents = try reader.read(.file(Self.attacks)).items
        #expect(incidents.count > 400)
        let places = try PlaceReader().read(.file(Self.towns)).items
        let routes = try placePairRoutes(places, minKm: 20, maxKm: 150)
        #expect(routes.count > 30)
        let cuts = ["2009-01-01", "2011-01-01"].map { DateParser().parseISO8601($0)! }
        let result = try await backtest(BacktestSetup(routes: routes, incidents: incidents, zones: [], model: Model(), cuts: cuts,
                                                      horizonDays: 730.5, radiusKm: 10, bootstrap: 20, cellKm: 20))
        func pooled(_ p: Predictor) throws -> Double { try #require(result.pooledRoutes.first { $0.predictor == p }?.spearman).value }
        let model = try pooled(.meanHazard)
        print(String(format: "real data, %d routes: Spearman mean hazard %.3f, past count %.3f, length %.3f, random %.3f",
                     routes.count, model, try pooled(.pastCount), try pooled(.length), try pooled(.random)))
        #expect(model > 0.4)
        #expect(model > (try pooled(.random)) + 0.2)
        #expect(model > (try pooled(.length)))
    }
}

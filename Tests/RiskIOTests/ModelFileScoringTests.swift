import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

/// A model file whose `score_scale` and `bands` are not the spec's defaults, read through
/// `ModelReader` and used to score: the score must follow `100 (1 - exp(-E / E0))` with the
/// file's `E0`, and the band the file's thresholds.
@Suite struct ModelFileScoringTests {
    static let scale = 40.0
    static let thresholds = (moderate: 10.0, high: 30.0, extreme: 60.0)
    static let modelFile = """
        {"score_scale": \(scale),
         "bands": {"moderate": \(thresholds.moderate), "high": \(thresholds.high), "extreme": \(thresholds.extreme)}}
        """

    /// The spec's band rule, `LOW < moderate <= MODERATE < high <= HIGH < extreme <= EXTREME`.
    static func band(_ score: Double, moderate: Double, high: Double, extreme: Double) -> String {
        score >= extreme ? "EXTREME" : score >= high ? "HIGH" : score >= moderate ? "MODERATE" : "LOW"
    }

    @Test func scoreAndBandFollowTheModelFile() throws {
        let directory = try TempDirectory()
        let model = try ModelReader.read(contentsOf: directory.write("model.json", Self.modelFile))
        // One meridian route per target score, each inside a zone whose base alone gives it the
        // exposure E = -E0 ln(1 - score / 100) over the route's length.
        let targets = [5.0, 20.0, 40.0, 65.0, 90.0]
        let geodesic = Geodesic.wgs84
        var routes: [Route] = []
        var zones: [Zone] = []
        for (n, target) in targets.enumerated() {
            let lon = 62.0 + Double(n)
            let length = try geodesic.distanceKm(Coordinate(lon, 24), Coordinate(lon, 25))
            let exposure = -Self.scale * log(1 - target / 100)
            routes.append(Route(id: "r\(n)", shape: .lineString([Coordinate(lon, 24), Coordinate(lon, 25)])))
            zones.append(Zone(id: "z\(n)", name: "Zone \(n)", kind: "zone", base: exposure / length, shape: .polygon([[
                Coordinate(lon - 0.4, 23.5), Coordinate(lon + 0.4, 23.5), Coordinate(lon + 0.4, 25.5), Coordinate(lon - 0.4, 25.5),
                Coordinate(lon - 0.4, 23.5),
            ]])))
        }
        let scorer = try Scorer(ScoringData(incidents: [], zones: zones, model: model))
        var differFromDefaults = 0
        for (route, target) in zip(routes, targets) {
            let result = try scorer.score(route, asOf: Date(timeIntervalSince1970: 1_700_000_000))
            let expected = 100 * (1 - exp(-result.exposure / Self.scale))
            #expect(abs(result.score - expected) <= 1e-12 * expected, "\(route.id): score \(result.score), expected \(expected)")
            #expect(abs(result.score - target) < 1e-6, "\(route.id): the zone's base should give a score of \(target)")
            let band = Self.band(expected, moderate: Self.thresholds.moderate, high: Self.thresholds.high,
                                 extreme: Self.thresholds.extreme)
            #expect(result.band.rawValue == band, "\(route.id): score \(result.score)")
            if band != Self.band(expected, moderate: 25, high: 50, extreme: 75) { differFromDefaults += 1 }
        }
        // The file's thresholds must matter: the default ones would band most of these routes otherwise.
        #expect(differFromDefaults == 3)
    }
}

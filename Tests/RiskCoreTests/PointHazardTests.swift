import Foundation
import Geo
import Testing
@testable import RiskCore

@Suite struct PointHazardTests {
    @Test func hazardAtPointsFollowsTheSpecsFormula() throws {
        // One incident 200 days old with 2 killed and 4 injured, a bombing against police; one
        // zone around it (base 0.1, multiplier 2) that ends 0.1 degree east of it.
        var model = Model()
        model.categoryWeights = ["bombing": 1.5]
        model.targetWeights = ["police": 1.1]
        let attack = incident("a", 70, 30, daysBefore: 200, killed: 2, injured: 4, category: "Bombing", target: " police")
        let zone = Zone(id: "z", name: "Z", kind: "zone", base: 0.1, multiplier: 2, shape: rectangle(69.5, 29.5, 70.1, 30.5))
        let data = try ScoringData(incidents: [attack], zones: [zone], model: model)
        let amplitude = (1 + log(1 + 2 + 0.5 * 4)) * 1.5 * 1.1 * pow(0.5, 200.0 / 365)
        let g = Geodesic.wgs84
        let north5 = try g.direct(from: attack.location, azimuth: 0, distanceKm: 5).position
        let east20 = try g.direct(from: attack.location, azimuth: 90, distanceKm: 20).position
        let east31 = try g.direct(from: attack.location, azimuth: 90, distanceKm: 31).position
        let far = Coordinate(65, 25)
        let h = try data.hazard(at: [attack.location, north5, east20, east31, far], time: epoch)
        let expected = [
            2 * (0.1 + amplitude),
            2 * (0.1 + amplitude * exp(-25.0 / 200)),
            amplitude * exp(-400.0 / 200),  // outside the zone: M = 1, B = 0
            0,  // past the 3 sigma cutoff
            0,
        ]
        for (value, reference) in zip(h, expected) {
            #expect(relativeError(value, reference) < 2e-3, "\(value) vs \(reference)")
        }
        // Before the incident happened it does not exist (no look-ahead).
        let before = try data.hazard(at: [attack.location], time: attack.time.addingTimeInterval(-1))
        #expect(abs(before[0] - 0.2) < 1e-12)
    }
}

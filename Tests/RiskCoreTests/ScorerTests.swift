import Foundation
import Geo
import Testing
@testable import RiskCore

@Suite struct AnalyticScoringTests {
    let geodesic = Geodesic.wgs84

    @Test func longRouteThroughOneIncidentIsTheGaussianIntegral() throws {
        // A 222 km meridian through a fresh incident with no casualties: w = 1, D = 1, so the
        // exposure is sigma sqrt(2 pi), less the tails beyond the 3-sigma cutoff.
        let result = try score(meridianRoute(from: 24, to: 26), incidents: [incident("a", 67, 25)])
        let sigma = 10.0
        let untruncated = sigma * (2 * Double.pi).squareRoot()
        let truncated = untruncated * erf(3 / 2.0.squareRoot())
        #expect(relativeError(result.incidentExposure, truncated) < 1e-4)
        #expect(relativeError(result.incidentExposure, untruncated) < 0.005)
        #expect(result.baseExposure == 0)
        #expect(relativeError(result.lengthKm, try geodesic.distanceKm(Coordinate(67, 24), Coordinate(67, 26))) < 1e-9)
        // The peak is the incident's own weight, where the route passes it.
        #expect(relativeError(result.peakHazard, 1) < 1e-6)
        #expect(abs(result.peakAtKm - (try geodesic.distanceKm(Coordinate(67, 24), Coordinate(67, 25)))) < 0.01)
        #expect(abs(result.peakLocation.y - 25) < 1e-3 && abs(result.peakLocation.x - 67) < 1e-9)
    }

    @Test func routePassingAtADistanceFollowsTheTruncatedGaussian() throws {
        for offset in [5.0, 12.0, 29.0, 31.0] {
            let site = try geodesic.direct(from: Coordinate(67, 25), azimuth: 90, distanceKm: offset).position
            let result = try score(meridianRoute(from: 24, to: 26), incidents: [incident("a", site.x, site.y, killed: 3)])
            let w = 1 + log(1 + 3.0)
            let sigma = 10.0, cutoff = 30.0
            let expected = offset > cutoff ? 0
                : w * exp(-offset * offset / (2 * sigma * sigma)) * 2 * gaussianMass(0, (cutoff * cutoff - offset * offset).squareRoot(), sigma: sigma)
            #expect(relativeError(result.incidentExposure, expected) < 2e-3, "offset \(offset)")
            if offset <= cutoff {
                #expect(abs(result.topIncidents[0].closestKm - offset) < 0.005 * offset)
                #expect(result.topIncidents[0].share == 1)
            } else {
                #expect(result.topIncidents.isEmpty)
            }
        }
    }

    @Test func severityCategoryAndTargetWeightsMultiply() throws {
        var model = Model()
        model.categoryWeights = ["suicide bombing": 2]
        model.targetWeights = ["foreign nationals": 1.5]
        let plain = try score(meridianRoute(from: 24, to: 26), incidents: [incident("a", 67, 25)], model: model)
        let weighted = try score(meridianRoute(from: 24, to: 26),
                                 incidents: [incident("a", 67, 25, killed: 10, injured: 20, category: "  Suicide Bombing ", target: "FOREIGN NATIONALS")],
                                 model: model)
        let w = (1 + log(1 + 10 + 0.5 * 20)) * 2 * 1.5
        #expect(relativeError(weighted.incidentExposure / plain.incidentExposure, w) < 1e-9)
    }

    @Test func decayHalvesEachHalfLifeAndDropsBelowMinimum() throws {
        let route = meridianRoute(from: 24, to: 26)
        let fresh = try score(route, incidents: [incident("a", 67, 25)]).incidentExposure
        let oneYear = try score(route, incidents: [incident("a", 67, 25, daysBefore: 365)]).incidentExposure
        let twoYears = try score(route, incidents: [incident("a", 67, 25, daysBefore: 730)]).incidentExposure
        let halfDay = try score(route, incidents: [incident("a", 67, 25, daysBefore: 182.5)]).incidentExposure
        #expect(relativeError(oneYear, fresh / 2) < 1e-12)
        #expect(relativeError(twoYears, fresh / 4) < 1e-12)
        #expect(relativeError(halfDay, fresh / 2.0.squareRoot()) < 1e-12)
        // 0.5^6 = 0.0156 counts, 0.5^7 = 0.0078 is under min_decay 0.01.
        #expect(relativeError(try score(route, incidents: [incident("a", 67, 25, daysBefore: 6 * 365)]).incidentExposure, fresh / 64) < 1e-12)
        #expect(try score(route, incidents: [incident("a", 67, 25, daysBefore: 7 * 365)]).incidentExposure == 0)
    }

    @Test func incidentsAfterTheEvaluationTimeDoNotExist() throws {
        let future = incident("later", 67, 25, daysBefore: -1)
        #expect(try score(meridianRoute(from: 24, to: 26), incidents: [future]).incidentExposure == 0)
        // A route departing after it sees it; one departing before does not, whatever as_of says.
        var departsLate = meridianRoute(from: 24, to: 26)
        departsLate.departsAt = epoch.addingTimeInterval(2 * day)
        let late = try score(departsLate, incidents: [future], at: epoch.addingTimeInterval(-100 * day))
        #expect(late.incidentExposure > 0)
        #expect(late.evaluatedAt == departsLate.departsAt)
    }

    @Test func overlappingZonesTakeTheLargestBaseAndMultiplyMultipliers() throws {
        // Along the 67E meridian: zone A covers 24.5-25.5N (base 0.5, x2), zone B 25.0-26.0N (base 0.2, x3).
        let zones = [
            Zone(id: "A", name: "Zone A", kind: "zone", base: 0.5, multiplier: 2, shape: rectangle(66, 24.5, 68, 25.5)),
            Zone(id: "B", name: "Zone B", kind: "zone", base: 0.2, multiplier: 3, shape: rectangle(66, 25.0, 68, 26.0)),
        ]
        let result = try score(meridianRoute(from: 24, to: 26.5), zones: zones)
        func arc(_ a: Double, _ b: Double) throws -> Double { try geodesic.distanceKm(Coordinate(67, a), Coordinate(67, b)) }
        let onlyA = try arc(24.5, 25.0), both = try arc(25.0, 25.5), onlyB = try arc(25.5, 26.0)
        let expectedBase = 2 * 0.5 * onlyA + 6 * 0.5 * both + 3 * 0.2 * onlyB
        #expect(relativeError(result.baseExposure, expectedBase) < 1e-6)
        #expect(result.incidentExposure == 0)
        #expect(result.zones.map(\.id) == ["A", "B"])
        #expect(relativeError(result.zones[0].km, onlyA + both) < 1e-6)
        #expect(relativeError(result.zones[1].km, both + onlyB) < 1e-6)
        #expect(relativeError(result.peakHazard, 3.0) < 1e-9)
        // Multipliers also scale incident terms: an incident inside the overlap counts 6 times.
        let inOverlap = try score(meridianRoute(from: 24, to: 26.5), incidents: [incident("a", 67, 25.25)], zones: zones)
        let bare = try score(meridianRoute(from: 24, to: 26.5), incidents: [incident("a", 67, 25.25)])
        let (lo, hi) = (try arc(25.0, 25.25), try arc(25.25, 25.5))
        let expectedIncident = 6 * gaussianMass(-lo, hi, sigma: 10) + 2 * gaussianMass(-30, -lo, sigma: 10)
            + 3 * gaussianMass(hi, 30, sigma: 10)
        #expect(relativeError(inOverlap.incidentExposure, expectedIncident) < 1e-3)
        #expect(bare.incidentExposure < inOverlap.incidentExposure)
        #expect(relativeError(inOverlap.peakHazard, 6 * (0.5 + 1)) < 1e-6)
    }

    @Test func multiLineStringGapsCountForNothing() throws {
        let route = Route(id: "gap", shape: .multiLineString([
            [Coordinate(67, 24), Coordinate(67, 24.9)],
            [Coordinate(67, 25.1), Coordinate(67, 26)],
        ]))
        let result = try score(route, incidents: [incident("a", 67, 25)])
        let toSouth = try geodesic.distanceKm(Coordinate(67, 24.9), Coordinate(67, 25))
        let toNorth = try geodesic.distanceKm(Coordinate(67, 25), Coordinate(67, 25.1))
        let expected = gaussianMass(toSouth, 30, sigma: 10) + gaussianMass(toNorth, 30, sigma: 10)
        #expect(relativeError(result.incidentExposure, expected) < 1e-3)
        let parts = try geodesic.distanceKm(Coordinate(67, 24), Coordinate(67, 24.9))
            + geodesic.distanceKm(Coordinate(67, 25.1), Coordinate(67, 26))
        #expect(relativeError(result.lengthKm, parts) < 1e-9)
        // The closest approach is at the nearer end of a part, at its km mark along the route.
        #expect(abs(result.topIncidents[0].closestKm - min(toSouth, toNorth)) < 0.01)
    }

    @Test func topIncidentsAreOrderedWithSharesAndKmMarks() throws {
        let incidents = [incident("small", 67, 24.5), incident("big", 67, 25.5, killed: 50), incident("far", 70, 25)]
        let result = try score(meridianRoute(from: 24, to: 26), incidents: incidents)
        #expect(result.topIncidents.map(\.id) == ["big", "small"])
        #expect(abs(result.topIncidents.map(\.share).reduce(0, +) - 1) < 1e-12)
        let bigAt = try geodesic.distanceKm(Coordinate(67, 24), Coordinate(67, 25.5))
        #expect(abs(result.topIncidents[0].atKm - bigAt) < 0.01)
        #expect(result.topIncidents[0].closestKm < 0.01)
    }

    @Test func scoreAndBandsFollowTheExposure() throws {
        let model = Model()
        #expect(model.score(exposure: 0) == 0)
        #expect(abs(model.score(exposure: 100) - 100 * (1 - exp(-1))) < 1e-12)
        #expect(model.band(score: 24.99) == .low)
        #expect(model.band(score: 25) == .moderate)
        #expect(model.band(score: 50) == .high)
        #expect(model.band(score: 75) == .extreme)
        let result = try score(meridianRoute(from: 24, to: 26), incidents: [incident("a", 67, 25)])
        #expect(abs(result.score - 100 * (1 - exp(-result.exposure / 100))) < 1e-12)
        #expect(abs(result.meanHazard - result.exposure / result.lengthKm) < 1e-12)
    }

    @Test func rankingIsByTheChosenKeyAndTiesKeepInputOrder() throws {
        func result(_ id: String, exposure: Double, length: Double, peak: Double) -> RouteResult {
            RouteResult(id: id, name: nil, evaluatedAt: epoch, lengthKm: length, exposure: exposure, baseExposure: 0,
                        incidentExposure: exposure, meanHazard: exposure / length, peakHazard: peak, peakAtKm: 0,
                        peakLocation: Coordinate(0, 0), score: 0, band: .low, zones: [], topIncidents: [])
        }
        let results = [result("a", exposure: 10, length: 100, peak: 1), result("b", exposure: 20, length: 400, peak: 3),
                       result("c", exposure: 10, length: 50, peak: 2), result("d", exposure: 20, length: 100, peak: 0.5)]
        #expect(rank(results).map(\.result.id) == ["b", "d", "a", "c"])
        #expect(rank(results).map(\.rank) == [1, 2, 3, 4])
        #expect(rank(results, by: .meanHazard).map(\.result.id) == ["c", "d", "a", "b"])
        #expect(rank(results, by: .peakHazard).map(\.result.id) == ["b", "c", "a", "d"])
    }

    @Test func nonLineRoutesAreRefused() throws {
        #expect(throws: ScoringError.self) {
            _ = try score(Route(id: "p", shape: .point(Coordinate(67, 25))))
        }
        #expect(throws: ScoringError.self) {
            _ = try score(Route(id: "bad", shape: .lineString([Coordinate(67, 25), Coordinate(67, 95)])))
        }
    }
}

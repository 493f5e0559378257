import Foundation
import Geo
import RiskSynth
import Testing
@testable import RiskCore

/// The fast path against the exact one on generated data: every exposure within 1 %, and the
/// same order wherever two exact exposures differ by more than 2 % (the spec's fast-path bounds),
/// for departures spread over months so that the grid's decay shift and its exact corrections
/// carry weight.
@Suite struct FastPathTests {
    /// Routes of the southern corridors (Karachi, Hyderabad, Sukkur, Quetta, Gwadar), which keeps
    /// the grid small enough for a test that runs in seconds.
    static let south = Envelope(minX: 61, minY: 24, maxX: 70, maxY: 31)

    @Test(arguments: [(5.0, 30.0), (10.0, 90.0), (25.0, 365.0)])
    func fastAgreesWithExactOverMonthsOfDepartures(sigma: Double, halfLife: Double) async throws {
        let synth = SyntheticPakistan(seed: UInt64(sigma * 10))
        // Departures over six months: the grid is made at the earliest, two months before the
        // last incident, so later routes read it shifted by 0.5^((T - T0) / tau) (up to 2^-6 with
        // a 30-day half-life) and add the incidents of the two months in between exactly.
        let first = epoch.addingTimeInterval(-60 * day)
        let routes = synth.routes(count: 400, minKm: 50, maxKm: 400, departing: first...first.addingTimeInterval(180 * day))
            .filter { route in route.shape.coordinates.allSatisfy { Self.south.contains($0) } }
        let incidents = synth.incidents(count: 3_000, end: epoch)
        var model = Model()
        model.kernel = .gaussian(sigmaKm: sigma)
        model.halfLifeDays = halfLife
        model.categoryWeights = ["suicide bombing": 2, "kidnapping": 1.4]
        let zones = [
            Zone(id: "belt", name: "Belt", kind: "zone", base: 0.05, multiplier: 1.5, shape: rectangle(60, 29, 78, 31)),
            Zone(id: "south", name: "South", kind: "province", base: 0.02, shape: rectangle(60, 23, 78, 28.2)),
            Zone(id: "pocket", name: "Pocket", kind: "zone", multiplier: 0.6, shape: rectangle(66.9, 24.8, 67.2, 25.0)),
        ]
        let data = try ScoringData(incidents: incidents, zones: zones, model: model)
        let exact = try await scoreRoutes(routes, asOf: epoch, data: data, path: .exact, jobs: 2).map { try $0.get() }
        var notes: [String] = []
        let fast = try await scoreRoutes(routes, asOf: epoch, data: data, path: .fast, jobs: 2) { notes.append($0) }.map { try $0.get() }
        #expect(notes.count == 1 && notes[0].hasPrefix("hazard grid: "))
        var worst = 0.0
        for (e, f) in zip(exact, fast) {
            let error = relativeError(f.exposure, e.exposure)
            worst = max(worst, error)
            #expect(error < 0.01, "\(e.id) departing \(e.evaluatedAt): exact \(e.exposure), fast \(f.exposure)")
            #expect(abs(f.baseExposure - e.baseExposure) <= 1e-6 * max(1, e.baseExposure), "\(e.id) base")
            #expect(f.zones.map(\.id) == e.zones.map(\.id))
        }
        // The spec's ranking rule, over every pair: two routes whose exact exposures differ by more
        // than 2 % keep their order on the fast path.
        var misordered = 0, pairs = 0
        for i in exact.indices {
            for j in exact.indices where exact[i].exposure > exact[j].exposure * 1.02 {
                pairs += 1
                if fast[i].exposure <= fast[j].exposure { misordered += 1 }
            }
        }
        let onGrid = zip(exact, fast).filter { $0.exposure != $1.exposure }.count
        let leadersAgree = zip(exact, fast).filter { $0.topIncidents.first?.id == $1.topIncidents.first?.id }.count
        print("sigma \(sigma), half-life \(halfLife): worst exposure difference \(worst) over \(routes.count) routes "
              + "(\(onGrid) read from the grid); misordered pairs \(misordered) of \(pairs); leading incident agrees on \(leadersAgree)")
        #expect(routes.count >= 100)
        #expect(misordered == 0)
        // Leaders come from a quarter-sigma grid of per-node leaders: right on most routes, not all.
        #expect(Double(leadersAgree) >= 0.9 * Double(routes.count))
    }

    @Test func aGridOverTheLimitFallsBackToTheExactPathWithANote() async throws {
        let routes = SyntheticPakistan(seed: 1).routes(count: 5)
        let data = try ScoringData(incidents: SyntheticPakistan(seed: 1).incidents(count: 100, end: epoch), zones: [], model: Model())
        var notes: [String] = []
        let results = try await scoreRoutes(routes, asOf: epoch, data: data, path: .fast, jobs: 1, gridMemoryLimit: 1_000) { notes.append($0) }
        #expect(notes.count == 1 && notes[0].contains("MiB limit"))
        let exact = try Scorer(data)
        for (route, result) in zip(routes, results) {
            #expect(try result.get() == exact.score(route, asOf: epoch))
        }
    }
}

/// Routes passing close to one heavy stack of incidents (forty attacks on one point, as real files
/// put them on a town's centroid): straight routes at every offset up to past the cutoff, and an
/// arc that runs just inside the cutoff circle, where the field jumps from 1.1 % of its top to
/// nothing and interpolation on the grid cannot follow. Every route's fast exposure is within
/// the spec's 1 % of the exact one, and the exact ones follow the closed form of the truncated
/// Gaussian along a line (or along the arc, where the kernel is constant).
@Suite struct HeavyStackTests {
    @Test func fastStaysWithinOnePercentNearAHeavyStack() async throws {
        let sigma = 10.0, cutoff = 30.0
        let centre = Coordinate(70, 30)
        let geodesic = Geodesic.wgs84
        let stack = (0..<40).map { n in
            Incident(id: "stack-\(n)", location: centre, time: epoch.addingTimeInterval(-30 * day), killed: 25)
        }
        // North-south routes 300 km long, passing `offset` km east of the stack.
        let offsets = [0.0, 3, 8, 15, 22, 26, 28.5, 29.4, 29.8, 29.97, 30.3]
        var routes: [Route] = try offsets.map { offset in
            let foot = try geodesic.direct(from: centre, azimuth: 90, distanceKm: offset).position
            let south = try geodesic.direct(from: foot, azimuth: 180, distanceKm: 150).position
            let north = try geodesic.direct(from: foot, azimuth: 0, distanceKm: 150).position
            return Route(id: "line-\(offset)", shape: .lineString(try geodesic.densify([south, north], maxSegmentKm: 5)))
        }
        // An arc of 150 degrees at 29.9 km, a vertex every 2 degrees.
        let arcRadius = 29.9
        let arc = try stride(from: 0.0, through: 150, by: 2).map { try geodesic.direct(from: centre, azimuth: $0, distanceKm: arcRadius).position }
        routes.append(Route(id: "arc", shape: .lineString(arc)))
        // Enough kilometres elsewhere (far from the stack) for nothing but these routes to matter.
        let data = try ScoringData(incidents: stack, zones: [], model: Model())
        let exact = try await scoreRoutes(routes, asOf: epoch, data: data, path: .exact, jobs: 1).map { try $0.get() }
        let fast = try await scoreRoutes(routes, asOf: epoch, data: data, path: .fast, jobs: 1).map { try $0.get() }

        // The truncated Gaussian along a line `d` km from the stack, relative to the line through
        // it: exp(-d^2 / 2 sigma^2) erf(c / sigma sqrt 2) / erf(cutoff / sigma sqrt 2), c the half chord.
        func lineRatio(_ d: Double) -> Double {
            guard d < cutoff else { return 0 }
            let halfChord = (cutoff * cutoff - d * d).squareRoot()
            return exp(-d * d / (2 * sigma * sigma)) * erf(halfChord / (sigma * 2.0.squareRoot())) / erf(cutoff / (sigma * 2.0.squareRoot()))
        }
        let through = exact[0].exposure
        for (offset, result) in zip(offsets, exact) where offset < cutoff {
            let d = try geodesic.distanceKm(centre, try geodesic.direct(from: centre, azimuth: 90, distanceKm: offset).position)
            #expect(relativeError(result.exposure / through, lineRatio(d)) < 0.005, "exact, \(offset) km off: \(result.exposure)")
        }
        #expect(exact[offsets.count - 1].exposure == 0)
        // Along the arc the kernel is exp(-r^2 / 2 sigma^2) everywhere (its chords run 5 m inside).
        let arcRatio = exp(-arcRadius * arcRadius / (2 * sigma * sigma)) * exact.last!.lengthKm
            / (sigma * (2 * Double.pi).squareRoot() * erf(cutoff / (sigma * 2.0.squareRoot())))
        #expect(relativeError(exact.last!.exposure / through, arcRatio) < 0.005, "exact arc: \(exact.last!.exposure)")

        for (e, f) in zip(exact, fast) {
            let error = e.exposure == f.exposure ? 0 : relativeError(f.exposure, e.exposure)
            #expect(error < 0.01, "\(e.id): exact \(e.exposure), fast \(f.exposure)")
        }
    }
}

import Foundation
import Geo
import RiskSynth
import Testing
@testable import RiskCore

/// The fast path against the exact one on generated data: every exposure within 1 %, and the
/// same order wherever two exact exposures differ by more than 2 % (the spec's fast-path bounds).
@Suite struct FastPathTests {
    @Test(arguments: [(2.0, 90.0), (5.0, 365.0), (10.0, 365.0), (25.0, 730.0)])
    func fastAgreesWithExact(sigma: Double, halfLife: Double) async throws {
        let synth = SyntheticPakistan(seed: UInt64(sigma * 10))
        let start = epoch.addingTimeInterval(-86_400)
        // Departures over two days around the incidents' end, so some incidents are later than
        // the grid's time and must be added exactly.
        let routes = synth.routes(count: 1_000, minKm: 50, maxKm: 400, departing: start...start.addingTimeInterval(2 * 86_400))
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
            let error = e.exposure > 0 ? abs(f.exposure - e.exposure) / e.exposure : f.exposure
            worst = max(worst, error)
            #expect(error < 0.01, "\(e.id): exact \(e.exposure), fast \(f.exposure)")
            #expect(abs(f.baseExposure - e.baseExposure) <= 1e-6 * max(1, e.baseExposure), "\(e.id) base")
            #expect(f.zones.map(\.id) == e.zones.map(\.id))
        }
        var misordered = 0
        let order = exact.indices.sorted { exact[$0].exposure > exact[$1].exposure }
        for (i, j) in zip(order, order.dropFirst(1)) where exact[i].exposure > exact[j].exposure * 1.02 {
            if fast[i].exposure <= fast[j].exposure { misordered += 1 }
        }
        let leadersAgree = zip(exact, fast).filter { $0.topIncidents.first?.id == $1.topIncidents.first?.id }.count
        print("sigma \(sigma): worst exposure difference \(worst) over \(routes.count) routes; misordered pairs \(misordered); "
              + "leading incident agrees on \(leadersAgree)")
        #expect(misordered == 0)
        // Leaders come from a quarter-sigma grid of per-node leaders: right on most routes, not all.
        #expect(Double(leadersAgree) >= 0.85 * Double(routes.count))
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

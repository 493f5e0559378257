import Foundation
import Testing
import Geo
import RiskCore
@testable import RiskValidation

@Suite struct CalibrationTests {
    /// A Hawkes process with the model's own form (Gaussian sigma 5 km, half-life 365 days):
    /// calibration must pick sigma and half-life within one step of the grid 2, 5, 10, 25 and
    /// 180, 365, 730, 1460.
    @Test func recoversSigmaAndHalfLife() async throws {
        let incidents = World.hawkes(immigrantsPerYear: 30, branching: 0.85, sigmaKm: 5, halfLifeDays: 365, seed: 11)
        let routes = World.routes(count: 120, seed: 5)
        var grid = CalibrationGrid()
        grid.kernels = ["gaussian"]
        grid.severity = [true]
        let setup = CalibrationSetup(
            backtest: BacktestSetup(routes: routes, incidents: incidents, zones: [], model: Model(),
                                    cuts: [2006, 2008, 2010, 2012, 2014].map(World.date), horizonDays: 730, radiusKm: 4),
            grid: grid)
        let result = try await calibrate(setup)
        #expect([2.0, 5, 10].contains(result.chosen.widthKm), "chose \(result.chosen)")
        #expect([180.0, 365, 730].contains(result.chosen.halfLifeDays), "chose \(result.chosen)")
        #expect(result.heldOut.count == 4)
        // And clearly: every candidate two or more steps away (sigma 25 km, or half-life 1460
        // days) has a lower mean skill than the chosen one.
        func meanSkill(_ c: Candidate) -> Double {
            let row = result.skills.first { $0.candidate == c }!.perCut.compactMap { $0 }
            return row.reduce(0, +) / Double(row.count)
        }
        let best = meanSkill(result.chosen)
        for far in result.skills.map(\.candidate) where far.widthKm == 25 || far.halfLifeDays == 1460 {
            #expect(meanSkill(far) < best - 0.01, "\(far): \(meanSkill(far)) vs \(best)")
        }
        // The fitted rate predicts the held-out totals to within a factor of 1.6 at every cut.
        for cut in result.heldOut {
            #expect(cut.expectedIncidents / cut.observedIncidents > 1 / 1.6 && cut.expectedIncidents / cut.observedIncidents < 1.6,
                    "\(cut)")
        }
        // The rate is the pooled count over the pooled exposure-years of the chosen model (closed form).
        #expect(result.incidentsPerExposureYear > 0)
    }

    /// The decomposition `E = base + sum w D J` equals the exact scorer's exposure.
    @Test func basisReproducesTheScorer() async throws {
        let incidents = World.staticIncidents(count: 300, seed: 2).enumerated().map { n, i in
            var i = i
            i.killed = Double(n % 7)
            i.injured = Double(n % 5)
            i.category = n % 3 == 0 ? "bombing" : nil
            return i
        }
        let routes = World.routes(count: 12, seed: 9)
        var model = Model()
        model.kernel = .gaussian(sigmaKm: 7)
        model.halfLifeDays = 500
        model.categoryWeights = ["bombing": 1.5]
        let cut = World.date(2010)
        let study = try Study(routes: routes, incidents: incidents, zones: [], radiusKm: 5)
        let basis = try ExposureBasis(study: study, zones: [], model: Candidate(model).unitModel(from: model))
        let fromBasis = basis.exposures(model: model, incidents: incidents, cut: cut)
        let data = try ScoringData(incidents: incidents.filter { $0.time < cut }, zones: [], model: model, extent: study.extent)
        let scorer = try Scorer(data)
        for (route, e) in zip(routes, fromBasis) {
            let exact = try scorer.score(route, asOf: cut).exposure
            #expect(abs(e - exact) <= 1e-9 * max(1, exact), "\(route.id): \(e) vs \(exact)")
        }
    }

    @Test func scoreScaleAndBandsFromQuantiles() throws {
        // Exposures 1...100: the 99th percentile (type 7) is 99.01, the 50th 50.5, the 75th 75.25, the 90th 90.1.
        let scale = try ScoreScale(exposures: (1...100).map(Double.init))
        #expect(abs(scale.scoreScale - 99.01 / log(20)) < 1e-9)
        func score(_ e: Double) -> Double { (1000 * (1 - exp(-e * log(20) / 99.01))).rounded() / 10 }
        #expect(scale.moderateFrom == score(50.5))
        #expect(scale.highFrom == score(75.25))
        #expect(scale.extremeFrom == score(90.1))
        #expect(throws: BacktestError.self) { try ScoreScale(exposures: [0, 0, 0]) }
    }

    @Test func gridParsing() throws {
        let grid = try CalibrationGrid(parsing: ["sigma_km=2,5", "half_life_days=365", "kernel=gaussian", "severity=on,off"])
        #expect(grid.candidates.count == 4)
        #expect(grid.candidates.first == Candidate(widthKm: 2, halfLifeDays: 365, severity: true))
        #expect(throws: BacktestError.self) { try CalibrationGrid(parsing: ["sigma_km=-1"]) }
        #expect(throws: BacktestError.self) { try CalibrationGrid(parsing: ["severity=maybe"]) }
        #expect(throws: BacktestError.self) { try CalibrationGrid(parsing: ["colour=red"]) }
    }
}

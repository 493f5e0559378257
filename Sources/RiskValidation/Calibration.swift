import Foundation
import Geo
import RiskCore

/// One model of the calibration grid: a kernel and its width, a half-life, severity on or off.
/// Everything else comes from the starting model.
public struct Candidate: Sendable, Hashable, CustomStringConvertible {
    public var kernel: String
    /// Sigma of the Gaussian (or radius of the disk), km.
    public var widthKm: Double
    public var halfLifeDays: Double
    /// Off: every incident weighs the same whatever its casualties (`a = b = 0`, so `S = 1`).
    public var severity: Bool

    public init(kernel: String = "gaussian", widthKm: Double, halfLifeDays: Double, severity: Bool) {
        self.kernel = kernel
        self.widthKm = widthKm
        self.halfLifeDays = halfLifeDays
        self.severity = severity
    }

    /// The kernels the grid can name.
    public static let kernels = ["gaussian", "disk"]

    /// `base` with this candidate's kernel, half-life and severity. The one place a candidate
    /// becomes a model.
    public func model(from base: Model) -> Model {
        var model = base
        switch kernel {
        case "disk":
            model.kernel = .disk(radiusKm: widthKm)
        default:
            // The cutoff (in sigmas) is the starting model's when it is Gaussian, else the spec's.
            if case .gaussian(_, let cutoff) = base.kernel {
                model.kernel = .gaussian(sigmaKm: widthKm, cutoffSigmas: cutoff)
            } else {
                model.kernel = .gaussian(sigmaKm: widthKm)
            }
        }
        model.halfLifeDays = halfLifeDays
        if !severity {
            model.killedWeight = 0
            model.injuredWeight = 0
        }
        return model
    }

    /// The candidate `model` is (its severity on when either casualty weight is not zero).
    public init(_ model: Model) {
        self.init(kernel: model.kernel.name, widthKm: model.kernel.widthKm, halfLifeDays: model.halfLifeDays,
                  severity: model.killedWeight != 0 || model.injuredWeight != 0)
    }

    /// A model with this candidate's kernel whose every incident weighs 1 and never decays, so
    /// that a route's contribution from incident i is `integral of M K_i ds` alone.
    func unitModel(from base: Model) -> Model {
        var model = self.model(from: base)
        model.halfLifeDays = .infinity
        model.minDecay = 0
        model.killedWeight = 0
        model.injuredWeight = 0
        model.categoryWeights = [:]
        model.targetWeights = [:]
        return model
    }

    /// The kernel's part: candidates that share it share one `ExposureBasis`.
    var kernelKey: String { "\(kernel) \(widthKm)" }

    public var description: String {
        "kernel=\(kernel) \(kernel == "disk" ? "radius_km" : "sigma_km")=\(Format.number(widthKm)) "
            + "half_life_days=\(Format.number(halfLifeDays)) severity=\(severity ? "on" : "off")"
    }
}

/// The values each parameter may take; every combination is a candidate.
public struct CalibrationGrid: Sendable, Equatable {
    public var widthsKm: [Double] = [2, 5, 10, 25]
    public var halfLivesDays: [Double] = [180, 365, 730, 1460]
    public var kernels: [String] = ["gaussian", "disk"]
    public var severity: [Bool] = [true, false]

    public init() {}

    /// Reads `name=v1,v2,...` items (`sigma_km`, `half_life_days`, `kernel`, `severity` with
    /// `on`/`off`); a parameter not named keeps its default values.
    public init(parsing items: [String]) throws(BacktestError) {
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw .invalid(field: "grid", reason: "item \"\(item)\" must be NAME=V1,V2,...")
            }
            let name = parts[0], values = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            func numbers() throws(BacktestError) -> [Double] {
                var out: [Double] = []
                for v in values {
                    guard let x = Double(v), x > 0, x.isFinite else {
                        throw .invalid(field: "grid \(name)", reason: "value \"\(v)\" must be a positive number")
                    }
                    out.append(x)
                }
                return out
            }
            switch name {
            case "sigma_km", "radius_km": widthsKm = try numbers()
            case "half_life_days": halfLivesDays = try numbers()
            case "kernel":
                for v in values where !Candidate.kernels.contains(v) {
                    throw .invalid(field: "grid kernel", reason: "value \"\(v)\" must be one of \(Candidate.kernels.joined(separator: ", "))")
                }
                kernels = values
            case "severity":
                severity = try values.map { v throws(BacktestError) in
                    switch v {
                    case "on": return true
                    case "off": return false
                    default: throw .invalid(field: "grid severity", reason: "value \"\(v)\" must be on or off")
                    }
                }
            default:
                throw .invalid(field: "grid", reason: "unknown parameter \"\(name)\" (sigma_km, radius_km, half_life_days, kernel, severity)")
            }
        }
    }

    /// Every combination, kernels outermost.
    public var candidates: [Candidate] {
        kernels.flatMap { kernel in
            widthsKm.flatMap { width in
                halfLivesDays.flatMap { halfLife in
                    severity.map { Candidate(kernel: kernel, widthKm: width, halfLifeDays: halfLife, severity: $0) }
                }
            }
        }
    }
}

/// A route's exposure split by incident for one kernel: `E = base + sum_i w_i D_i J_i` with
/// `J_i = integral of M K_i ds`. Half-life, severity and the cut change only `w_i D_i`, so each
/// kernel is integrated once (by the exact scorer) and every other candidate and cut is a sum.
struct ExposureBasis {
    var base: [Double]
    /// Per route: (incident index, `J_i`) for every incident that reaches it.
    var terms: [[(incident: Int, unit: Double)]]

    init(study: Study, zones: [Zone], model: Model) throws {
        var indexOf: [String: Int] = [:]
        for (i, incident) in study.incidents.enumerated() {
            guard indexOf.updateValue(i, forKey: incident.id) == nil else { throw BacktestError.duplicateIncident(incident.id) }
        }
        let data = try ScoringData(incidents: study.incidents, zones: zones, model: model, extent: study.extent)
        let scorer = try Scorer(data, topIncidents: study.incidents.count)
        // After every incident, so all of them count (with decay 1 in the unit model).
        let after = (study.incidents.map(\.time).max() ?? Date(timeIntervalSince1970: 0)).addingTimeInterval(86_400)
        var base: [Double] = [], terms: [[(incident: Int, unit: Double)]] = []
        for route in study.routes {
            let result = try scorer.score(route, asOf: after)
            base.append(result.baseExposure)
            terms.append(result.topIncidents.map { (indexOf[$0.id]!, $0.exposure) })
        }
        self.base = base
        self.terms = terms
    }

    /// Every route's exposure at `cut` under `model`, from the incidents before the cut.
    func exposures(model: Model, incidents: [Incident], cut: Date) -> [Double] {
        // Weight times decay per incident, computed once per cut (nil: does not count).
        var amplitude = [Double?](repeating: nil, count: incidents.count)
        for (i, incident) in incidents.enumerated() where incident.time < cut {
            amplitude[i] = model.decay(of: incident.time, at: cut).map { model.weight(incident) * $0 }
        }
        return zip(base, terms).map { base, terms in
            terms.reduce(base) { sum, term in sum + (amplitude[term.incident].map { $0 * term.unit } ?? 0) }
        }
    }
}

/// What calibration needs beyond a backtest's inputs.
public struct CalibrationSetup: Sendable {
    public var backtest: BacktestSetup
    public var grid: CalibrationGrid

    public init(backtest: BacktestSetup, grid: CalibrationGrid) {
        self.backtest = backtest
        self.grid = grid
    }
}

/// One held-out cut of the rolling-origin evaluation.
public struct HeldOutCut: Sendable, Equatable {
    public var cut: Date
    /// The candidate with the best mean skill on the earlier cuts.
    public var chosen: Candidate
    /// Spearman of mean hazard with the future count per km at this cut: the chosen
    /// candidate's, the starting model's, and the past-count baseline's.
    public var chosenSkill: Double?
    public var startingSkill: Double?
    public var baselineSkill: Double?
    /// Future incidents within the radius of the routes, summed over the routes (an incident near
    /// two routes counts twice): expected from the rate fitted on the earlier cuts (with the
    /// chosen candidate), and observed.
    public var expectedIncidents: Double
    public var observedIncidents: Double
}

public struct CalibrationResult: Sendable {
    /// Every candidate with its skill at each cut (nil where undefined), in grid order.
    public var skills: [(candidate: Candidate, perCut: [Double?])]
    public var heldOut: [HeldOutCut]
    /// The candidate with the best mean skill over every cut, and the model made from it with
    /// the fitted score scale, bands and rate.
    public var chosen: Candidate
    public var model: Model
    /// Expected incidents within the radius of a route per year per unit of exposure.
    public var incidentsPerExposureYear: Double
    /// Share of route-cuts whose score rounds to 100 (99.5 or more) with the starting scale and
    /// with the fitted one.
    public var saturatedBefore: Double
    public var saturatedAfter: Double
    public var cuts: [Date]
    public var horizonDays: Double
    public var radiusKm: Double
    public var routes: Int
    public var incidents: Int

    /// Means over the held-out cuts (those where each is defined).
    public var heldOutChosen: Double? { mean(heldOut.map(\.chosenSkill)) }
    public var heldOutStarting: Double? { mean(heldOut.map(\.startingSkill)) }
    public var heldOutBaseline: Double? { mean(heldOut.map(\.baselineSkill)) }
}

func mean(_ values: [Double?]) -> Double? {
    let kept = values.compactMap { $0 }
    return kept.isEmpty ? nil : kept.reduce(0, +) / Double(kept.count)
}

/// Rolling-origin calibration: each candidate's skill (Spearman of mean hazard with the future
/// count per km) at every cut; at each cut after the first, the candidate best on the earlier
/// cuts is judged there. The candidate best over all cuts becomes the model, with a score scale
/// and band thresholds set from its exposures and the rate that turns exposure into expected
/// incidents.
public func calibrate(_ setup: CalibrationSetup) async throws -> CalibrationResult {
    let bt = setup.backtest
    try bt.validate()
    guard bt.cuts.count >= 2 else {
        throw BacktestError.invalid(field: "cuts", reason: "need at least 2 for a rolling-origin evaluation")
    }
    let candidates = setup.grid.candidates
    guard !candidates.isEmpty else { throw BacktestError.invalid(field: "grid", reason: "has no candidates") }
    let study = try Study(routes: bt.routes, incidents: bt.incidents, zones: bt.zones, radiusKm: bt.radiusKm)
    let lengths = study.lengthsKm
    let years = bt.horizonDays / 365.25
    let counts: [[Double]] = bt.cuts.map { cut in
        let future = Set(study.incidents(from: cut, to: cut.addingTimeInterval(bt.horizonDays * 86_400)))
        return study.near.map { Double($0.filter(future.contains).count) }
    }
    let perKm = counts.map { c in zip(c, lengths).map { $1 > 0 ? $0 / $1 : 0 } }

    var bases: [String: ExposureBasis] = [:]
    func basis(_ candidate: Candidate) throws -> ExposureBasis {
        if let known = bases[candidate.kernelKey] { return known }
        let made = try ExposureBasis(study: study, zones: bt.zones, model: candidate.unitModel(from: bt.model))
        bases[candidate.kernelKey] = made
        return made
    }
    func exposures(_ candidate: Candidate, base: Model) throws -> [[Double]] {
        let b = try basis(candidate), model = candidate.model(from: base)
        return bt.cuts.map { b.exposures(model: model, incidents: study.incidents, cut: $0) }
    }
    func skills(_ exposure: [[Double]]) -> [Double?] {
        zip(exposure, perKm).map { e, y in Metrics.spearman(zip(e, lengths).map { $1 > 0 ? $0 / $1 : 0 }, y) }
    }
    func rate(_ exposure: [[Double]], cuts: Range<Int>) -> Double {
        let observed = cuts.reduce(0.0) { $0 + counts[$1].reduce(0, +) }
        let exposed = cuts.reduce(0.0) { $0 + exposure[$1].reduce(0, +) } * years
        return exposed > 0 ? observed / exposed : 0
    }

    var table: [(candidate: Candidate, perCut: [Double?])] = []
    var allExposures: [Candidate: [[Double]]] = [:]
    for candidate in candidates {
        let e = try exposures(candidate, base: bt.model)
        allExposures[candidate] = e
        table.append((candidate, skills(e)))
    }
    func best(over cuts: Range<Int>) -> Candidate {
        var bestIndex = 0, bestValue = -Double.infinity
        for (i, row) in table.enumerated() {
            let value = mean(cuts.map { row.perCut[$0] }) ?? -Double.infinity
            if value > bestValue { bestValue = value; bestIndex = i }
        }
        return table[bestIndex].candidate
    }

    // The starting model as it is (its own kernel, weights and half-life).
    let starting = Candidate(bt.model)
    let startingSkills = skills(try exposures(starting, base: bt.model))
    let pastSkills: [Double?] = bt.cuts.enumerated().map { k, cut in
        let past = Set(study.incidents(before: cut))
        let x = study.near.indices.map { r in lengths[r] > 0 ? Double(study.near[r].filter(past.contains).count) / lengths[r] : 0 }
        return Metrics.spearman(x, perKm[k])
    }
    var heldOut: [HeldOutCut] = []
    for j in 1..<bt.cuts.count {
        let chosen = best(over: 0..<j)
        let e = allExposures[chosen]!
        let lambda = rate(e, cuts: 0..<j)
        heldOut.append(HeldOutCut(cut: bt.cuts[j], chosen: chosen, chosenSkill: table.first { $0.candidate == chosen }!.perCut[j],
                                  startingSkill: startingSkills[j], baselineSkill: pastSkills[j],
                                  expectedIncidents: lambda * e[j].reduce(0, +) * years,
                                  observedIncidents: counts[j].reduce(0, +)))
    }

    let chosen = best(over: 0..<bt.cuts.count)
    let finalExposures = allExposures[chosen]!
    let lambda = rate(finalExposures, cuts: 0..<bt.cuts.count)
    var model = chosen.model(from: bt.model)
    let pooled = finalExposures.flatMap { $0 }
    let scale = try ScoreScale(exposures: pooled)
    model.scoreScale = scale.scoreScale
    model.moderateFrom = scale.moderateFrom
    model.highFrom = scale.highFrom
    model.extremeFrom = scale.extremeFrom
    func saturated(_ m: Model) -> Double {
        Double(pooled.filter { m.score(exposure: $0) >= 99.5 }.count) / Double(pooled.count)
    }
    return CalibrationResult(skills: table, heldOut: heldOut, chosen: chosen, model: model, incidentsPerExposureYear: lambda,
                             saturatedBefore: saturated(chosen.model(from: bt.model)), saturatedAfter: saturated(model),
                             cuts: bt.cuts, horizonDays: bt.horizonDays, radiusKm: bt.radiusKm, routes: bt.routes.count,
                             incidents: bt.incidents.count)
}

/// The score scale and bands fitted to a set of exposures: `E0` puts the 99th percentile at a
/// score of 95 (`E0 = E99 / ln 20`), so only the top hundredth comes near 100; the bands start
/// at the scores of the 50th, 75th and 90th percentiles (rounded to 0.1), so half the routes are
/// LOW, a quarter MODERATE, 15 % HIGH and a tenth EXTREME on the calibration data.
public struct ScoreScale: Sendable, Equatable {
    public var scoreScale: Double
    public var moderateFrom: Double
    public var highFrom: Double
    public var extremeFrom: Double

    public init(exposures: [Double]) throws(BacktestError) {
        guard !exposures.isEmpty else { throw .invalid(field: "score scale", reason: "no exposures to fit it to") }
        let top = Metrics.quantile(exposures, 0.99)
        guard top > 0 else { throw .invalid(field: "score scale", reason: "the 99th percentile exposure is 0") }
        scoreScale = top / log(20)
        func score(_ p: Double) -> Double {
            (1000 * (1 - exp(-Metrics.quantile(exposures, p) / (top / log(20))))).rounded() / 10
        }
        moderateFrom = score(0.5)
        highFrom = score(0.75)
        extremeFrom = score(0.9)
        guard 0 < moderateFrom, moderateFrom < highFrom, highFrom < extremeFrom else {
            throw .invalid(field: "bands", reason: "the 50th, 75th and 90th percentile exposures do not give increasing "
                           + "positive scores (\(moderateFrom), \(highFrom), \(extremeFrom)): too few routes near incidents")
        }
    }
}

/// Numbers as the reports print them.
enum Format {
    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.6g", x)
    }
}

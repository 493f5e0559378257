import Foundation
import Geo
import RiskCore
import RiskSynth

/// What a backtest needs: routes, every incident (before and after the cuts), zones, the model,
/// the cut dates, the horizon after each cut and the radius that makes an incident "on" a route.
public struct BacktestSetup: Sendable {
    public var routes: [Route]
    public var incidents: [Incident]
    public var zones: [Zone]
    public var model: Model
    public var cuts: [Date]
    public var horizonDays: Double
    public var radiusKm: Double
    /// Bootstrap resamples behind each interval.
    public var bootstrap: Int
    /// Seeds the bootstrap and the random baseline.
    public var seed: UInt64
    /// Side of the square area cells of the hazard-field measures (km).
    public var cellKm: Double
    public var jobs: Int

    public init(routes: [Route], incidents: [Incident], zones: [Zone], model: Model, cuts: [Date], horizonDays: Double,
                radiusKm: Double, bootstrap: Int = 200, seed: UInt64 = 1, cellKm: Double = 10, jobs: Int = 1) {
        self.routes = routes
        self.incidents = incidents
        self.zones = zones
        self.model = model
        self.cuts = cuts
        self.horizonDays = horizonDays
        self.radiusKm = radiusKm
        self.bootstrap = bootstrap
        self.seed = seed
        self.cellKm = cellKm
        self.jobs = jobs
    }

    public func validate() throws(BacktestError) {
        if routes.count < 2 { throw .invalid(field: "routes", reason: "need at least 2 to rank") }
        if cuts.isEmpty { throw .invalid(field: "cuts", reason: "need at least one cut date") }
        if cuts != cuts.sorted() || Set(cuts).count != cuts.count {
            throw .invalid(field: "cuts", reason: "must be distinct and in increasing order")
        }
        if !(horizonDays > 0) { throw .invalid(field: "horizon", reason: "must be positive") }
        if !(radiusKm > 0) { throw .invalid(field: "radius", reason: "must be positive") }
        if bootstrap < 0 { throw .invalid(field: "bootstrap", reason: "must not be negative") }
        if !(cellKm > 0) { throw .invalid(field: "cell", reason: "must be positive") }
    }
}

/// A way of ranking routes: the model's four outputs, and the baselines any model must beat.
public enum Predictor: String, Sendable, CaseIterable {
    case score, exposure
    case meanHazard = "mean_hazard"
    case peakHazard = "peak_hazard"
    /// Incidents before the cut within the radius of the route, per km.
    case pastCount = "past_count_per_km"
    /// The length-weighted density (incidents before the cut per km^2) of the provinces crossed.
    case province
    case length = "length_km"
    case random

    public var isBaseline: Bool { ![.score, .exposure, .meanHazard, .peakHazard].contains(self) }
}

/// A ranking of the area cells: the model's incident field and the baselines.
public enum AreaPredictor: String, Sendable, CaseIterable {
    /// The model's incident field `I_T` at the cell's centre (zones left out: the field of the
    /// incidents alone).
    case hazard
    /// Incidents before the cut within the radius of the cell's centre.
    case pastCount = "past_count"
    case province
    case random
}

/// Route-ranking skill of one predictor.
public struct RouteSkill: Sendable, Equatable {
    public var predictor: Predictor
    /// Spearman's correlation with the future count per km.
    public var spearman: Estimate?
    /// ROC AUC for "at least one future incident within the radius".
    public var auc: Estimate?
    /// Share of the future incidents on the top tenth of routes.
    public var topDecileCapture: Estimate?
    /// Future incidents per km on the top tenth over those on all routes.
    public var topDecileLift: Estimate?
}

/// Area skill of one predictor: share of future incidents in the top 1 % and 5 % of the cells,
/// and the predictive accuracy index (that share over the area's share).
public struct AreaSkill: Sendable, Equatable {
    public var predictor: AreaPredictor
    public var hitRate1: Estimate?
    public var pai1: Estimate?
    public var hitRate5: Estimate?
    public var pai5: Estimate?
}

/// The backtest at one cut.
public struct CutResult: Sendable {
    public var cut: Date
    /// Incidents before the cut (what the model knew).
    public var pastIncidents: Int
    /// Incidents in the horizon after the cut; of them, those within the radius of some route,
    /// and those in the area cells.
    public var futureIncidents: Int
    public var futureNearRoutes: Int
    public var futureInArea: Int
    /// Routes with at least one future incident within the radius.
    public var routesHit: Int
    public var routeSkills: [RouteSkill]
    public var areaSkills: [AreaSkill]
    /// Each route's predictor values and future count, in input order (for calibration and charts).
    public var values: [Predictor: [Double]]
    public var futureCounts: [Double]
}

public struct BacktestResult: Sendable {
    public var routes: Int
    public var routeKm: Double
    public var incidents: Int
    public var horizonDays: Double
    public var radiusKm: Double
    public var cellKm: Double
    public var areaCells: Int
    public var bootstrap: Int
    public var cuts: [CutResult]
    /// Means over the cuts, with intervals from resampling the routes (and the future
    /// incidents, for the area measures) at every cut at once.
    public var pooledRoutes: [RouteSkill]
    public var pooledArea: [AreaSkill]
    public var lengthsKm: [Double]
}

/// Runs a backtest: at each cut, scores the routes with the incidents before it, counts the
/// incidents within the radius of each route in the horizon after it, and measures how well the
/// model and the baselines ranked them.
public func backtest(_ setup: BacktestSetup) async throws -> BacktestResult {
    try setup.validate()
    let study = try Study(routes: setup.routes, incidents: setup.incidents, zones: setup.zones, radiusKm: setup.radiusKm)
    let cells = try AreaCells(study: study, cellKm: setup.cellKm)
    var random = SeededRandom(seed: setup.seed)
    var cutResults: [CutResult] = []
    // One set of route resamples serves every cut, so the pooled intervals see the cuts together.
    let routeResamples = (0..<setup.bootstrap).map { _ in
        (0..<setup.routes.count).map { _ in Int(random.next() % UInt64(setup.routes.count)) }
    }
    for cut in setup.cuts {
        let end = cut.addingTimeInterval(setup.horizonDays * 86_400)
        let past = study.incidents(before: cut)
        let future = Set(study.incidents(from: cut, to: end))
        let counts = study.near.map { Double($0.filter(future.contains).count) }
        let values = try await routeValues(setup: setup, study: study, cut: cut, past: past, random: &random)

        let routeSkills = Predictor.allCases.map { predictor in
            routeSkill(predictor, values: values[predictor]!, counts: counts, lengths: study.lengthsKm, resamples: routeResamples)
        }
        let events = future.sorted().compactMap { cells.cell(of: study.positions[$0]) }
        let eventResamples = (0..<setup.bootstrap).map { _ in
            events.isEmpty ? [] : (0..<events.count).map { _ in events[Int(random.next() % UInt64(events.count))] }
        }
        let fields = try await cells.values(setup: setup, study: study, cut: cut, past: past, random: &random)
        let areaSkills = AreaPredictor.allCases.map { predictor in
            areaSkill(predictor, cellValues: fields[predictor]!, events: events, resamples: eventResamples)
        }
        let nearSet = Set(study.near.joined())
        cutResults.append(CutResult(
            cut: cut, pastIncidents: past.count, futureIncidents: future.count,
            futureNearRoutes: future.filter(nearSet.contains).count, futureInArea: events.count,
            routesHit: counts.filter { $0 > 0 }.count, routeSkills: routeSkills, areaSkills: areaSkills,
            values: values, futureCounts: counts))
    }
    let pooledRoutes = Predictor.allCases.map { predictor in
        pooledRouteSkill(predictor, cuts: cutResults, lengths: study.lengthsKm, resamples: routeResamples)
    }
    let pooledArea = AreaPredictor.allCases.map { predictor in
        pooledAreaSkill(predictor, cuts: cutResults)
    }
    return BacktestResult(routes: setup.routes.count, routeKm: study.lengthsKm.reduce(0, +), incidents: setup.incidents.count,
                          horizonDays: setup.horizonDays, radiusKm: setup.radiusKm, cellKm: setup.cellKm,
                          areaCells: cells.centres.count, bootstrap: setup.bootstrap, cuts: cutResults,
                          pooledRoutes: pooledRoutes, pooledArea: pooledArea, lengthsKm: study.lengthsKm)
}

/// Every predictor's value for every route at `cut`.
private func routeValues(setup: BacktestSetup, study: Study, cut: Date, past: [Int],
                         random: inout SeededRandom) async throws -> [Predictor: [Double]] {
    let data = try ScoringData(incidents: past.map { study.incidents[$0] }, zones: setup.zones, model: setup.model,
                               extent: study.extent)
    let scored = try await scoreRoutes(setup.routes, asOf: cut, data: data, path: .exact, jobs: setup.jobs)
    let results = try scored.map { try $0.get() }
    let pastSet = Set(past)
    let lengths = study.lengthsKm
    let density = provinceDensities(study: study, past: past)
    let provinceIndex = Dictionary(uniqueKeysWithValues: study.provinces.enumerated().map { ($1.id, $0) })
    var values: [Predictor: [Double]] = [:]
    values[.score] = results.map(\.score)
    values[.exposure] = results.map(\.exposure)
    values[.meanHazard] = results.map(\.meanHazard)
    values[.peakHazard] = results.map(\.peakHazard)
    values[.pastCount] = study.near.indices.map { r in
        lengths[r] > 0 ? Double(study.near[r].filter(pastSet.contains).count) / lengths[r] : 0
    }
    values[.province] = results.indices.map { r in
        // Route km per province come from the scorer's zone kilometres (GEOS intersections).
        let weighted = results[r].zones.reduce(0.0) { sum, zone in
            sum + (provinceIndex[zone.id].map { density[$0] * zone.km } ?? 0)
        }
        return lengths[r] > 0 ? weighted / lengths[r] : 0
    }
    values[.length] = lengths
    values[.random] = setup.routes.map { _ in random.uniform(0, 1) }
    return values
}

/// Incidents before the cut per km^2 in each province.
func provinceDensities(study: Study, past: [Int]) -> [Double] {
    var counts = [Double](repeating: 0, count: study.provinces.count)
    for i in past { if let p = study.incidentProvince[i] { counts[p] += 1 } }
    return zip(counts, study.provinceAreasKm2).map { $1 > 0 ? $0 / $1 : 0 }
}

private func routeSkill(_ predictor: Predictor, values: [Double], counts: [Double], lengths: [Double],
                        resamples: [[Int]]) -> RouteSkill {
    func measures(_ idx: [Int]) -> [Double?] {
        let x = idx.map { values[$0] }, c = idx.map { counts[$0] }, km = idx.map { lengths[$0] }
        let perKm = zip(c, km).map { $1 > 0 ? $0 / $1 : 0 }
        let decile = Metrics.topDecile(x, counts: c, lengthsKm: km)
        return [Metrics.spearman(x, perKm), Metrics.rocAUC(x, positive: c.map { $0 > 0 }), decile?.capture, decile?.lift]
    }
    let all = measures(Array(values.indices))
    let replicates = resamples.map(measures)
    func estimate(_ k: Int) -> Estimate? {
        all[k].map { Estimate(value: $0, replicates: replicates.map { $0[k] }) }
    }
    return RouteSkill(predictor: predictor, spearman: estimate(0), auc: estimate(1), topDecileCapture: estimate(2),
                      topDecileLift: estimate(3))
}

/// The mean over the cuts of each measure, and its interval from the same route resamples
/// applied at every cut.
private func pooledRouteSkill(_ predictor: Predictor, cuts: [CutResult], lengths: [Double], resamples: [[Int]]) -> RouteSkill {
    func measures(_ idx: [Int]) -> [Double?] {
        var sums = [Double](repeating: 0, count: 4), n = [Int](repeating: 0, count: 4)
        for cut in cuts {
            let values = cut.values[predictor]!
            let x = idx.map { values[$0] }, c = idx.map { cut.futureCounts[$0] }, km = idx.map { lengths[$0] }
            let perKm = zip(c, km).map { $1 > 0 ? $0 / $1 : 0 }
            let decile = Metrics.topDecile(x, counts: c, lengthsKm: km)
            let each = [Metrics.spearman(x, perKm), Metrics.rocAUC(x, positive: c.map { $0 > 0 }), decile?.capture, decile?.lift]
            for k in 0..<4 { if let v = each[k] { sums[k] += v; n[k] += 1 } }
        }
        return (0..<4).map { n[$0] > 0 ? sums[$0] / Double(n[$0]) : nil }
    }
    let all = measures(Array(lengths.indices))
    let replicates = resamples.map(measures)
    func estimate(_ k: Int) -> Estimate? {
        all[k].map { Estimate(value: $0, replicates: replicates.map { $0[k] }) }
    }
    return RouteSkill(predictor: predictor, spearman: estimate(0), auc: estimate(1), topDecileCapture: estimate(2),
                      topDecileLift: estimate(3))
}

private func areaSkill(_ predictor: AreaPredictor, cellValues: [Double], events: [Int], resamples: [[Int]]) -> AreaSkill {
    func measures(_ events: [Int]) -> [Double?] {
        let one = Metrics.pai(cellValues: cellValues, events: events, areaFraction: 0.01)
        let five = Metrics.pai(cellValues: cellValues, events: events, areaFraction: 0.05)
        return [one?.hitRate, one?.pai, five?.hitRate, five?.pai]
    }
    let all = measures(events)
    let replicates = resamples.map(measures)
    func estimate(_ k: Int) -> Estimate? {
        all[k].map { Estimate(value: $0, replicates: replicates.map { $0[k] }) }
    }
    return AreaSkill(predictor: predictor, hitRate1: estimate(0), pai1: estimate(1), hitRate5: estimate(2), pai5: estimate(3))
}

/// The mean over the cuts that have future incidents in the area; the interval is the mean of
/// the cuts' bounds (their event resamples are independent, so this errs wide).
private func pooledAreaSkill(_ predictor: AreaPredictor, cuts: [CutResult]) -> AreaSkill {
    let skills = cuts.compactMap { $0.areaSkills.first { $0.predictor == predictor } }
    func mean(_ pick: (AreaSkill) -> Estimate?) -> Estimate? {
        let estimates = skills.compactMap(pick)
        guard !estimates.isEmpty else { return nil }
        let n = Double(estimates.count)
        return Estimate(value: estimates.reduce(0) { $0 + $1.value } / n, low: estimates.reduce(0) { $0 + $1.low } / n,
                        high: estimates.reduce(0) { $0 + $1.high } / n)
    }
    return AreaSkill(predictor: predictor, hitRate1: mean(\.hitRate1), pai1: mean(\.pai1), hitRate5: mean(\.hitRate5),
                     pai5: mean(\.pai5))
}

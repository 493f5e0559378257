import Foundation
import Geo
import RiskCore
import RiskIO

/// One request to score routes: the scoring use case every front end (the command line, an HTTP
/// server) calls with inputs it has loaded. It chooses the path, scores on `jobs` tasks, turns a
/// route that cannot be scored into a warning (or, with `strict`, an error), ranks and keeps the
/// top. It prints nothing and reads no process state; what it has to say comes back in the
/// outcome, and also as it happens through `events`.
public struct ScoreRequest: Sendable {
    /// From this many route-km in all, routes are scored on the fast path (the hazard grid):
    /// building the grid costs about as much as scoring that many kilometres exactly.
    public static let fastPathFromKm = 20_000.0

    /// The evaluation time of routes without their own departure.
    public var asOf: Date
    public var rankBy: RankKey
    /// Keep only this many of the highest-ranked routes (nil: all).
    public var top: Int?
    /// Score on the exact path whatever the route-km.
    public var exact: Bool
    /// Scoring tasks at once.
    public var jobs: Int
    /// A route that cannot be scored ends the request instead of becoming a warning.
    public var strict: Bool
    /// Score even when no incident counts at any evaluation time (on zones alone); otherwise
    /// such a request fails with `NoApplicableIncidents` rather than print a silent LOW.
    public var allowEmpty: Bool
    /// Keep incidents that `Deduplicator` would merge.
    public var keepDuplicates: Bool

    public init(asOf: Date, rankBy: RankKey = .exposure, top: Int? = nil, exact: Bool = false, jobs: Int = 1,
                strict: Bool = false, allowEmpty: Bool = false, keepDuplicates: Bool = false) {
        self.asOf = asOf
        self.rankBy = rankBy
        self.top = top
        self.exact = exact
        self.jobs = jobs
        self.strict = strict
        self.allowEmpty = allowEmpty
        self.keepDuplicates = keepDuplicates
    }

    /// A request option out of range, named by the request's field.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: String

        public var description: String { "\(field) \(reason)" }
    }

    public func validate() throws(Invalid) {
        if let top, top < 1 { throw Invalid(field: "top", reason: "must be at least 1") }
        if jobs < 1 { throw Invalid(field: "jobs", reason: "must be at least 1") }
        if jobs > ScoreRequest.maxJobs { throw Invalid(field: "jobs", reason: "must be at most \(ScoreRequest.maxJobs)") }
    }

    /// More tasks than this only costs memory (each has its own GEOS and PROJ contexts).
    public static let maxJobs = 1_024

    /// The path for this many route-km: exact below `fastPathFromKm` or when `exact` is set.
    public func path(forRouteKm km: Double) -> ScoringPath {
        exact || km < ScoreRequest.fastPathFromKm ? .exact : .fast
    }

    /// Scores `inputs.routes` against the rest of `inputs`. `events` hears, in this order, the
    /// inputs' warnings, the scoring notes (duplicates merged, the grid's size), and one warning
    /// per route that could not be scored; the outcome carries them all as well.
    public func run(_ inputs: ScoringInputs, events: (ScoringEvent) -> Void = { _ in }) async throws -> ScoreOutcome {
        try validate()
        let base = try ScoringBase(model: inputs.model, zones: inputs.zones, incidents: inputs.incidents, warnings: inputs.warnings,
                                   provenance: inputs.provenance, keepDuplicates: keepDuplicates)
        return try await run(inputs.routes, on: base, events: events)
    }

    /// Scores `routes` against a prepared base; `routeWarnings` (from reading the routes) follow
    /// the base's warnings, as a route file's follow the zone and incident files' on the command line.
    /// Fails with `NoApplicableIncidents` when no incident counts at any route's evaluation time,
    /// unless `allowEmpty`.
    public func run(_ routes: [Route], routeWarnings: [Diagnostic] = [], on base: ScoringBase,
                    events: (ScoringEvent) -> Void = { _ in }) async throws -> ScoreOutcome {
        try validate()
        var warnings = base.warnings + routeWarnings
        var notes: [String] = []
        warnings.forEach { events(.warning($0)) }
        func warn(_ reason: String) {
            let diagnostic = Diagnostic(file: "incidents", location: "", reason: reason)
            events(.warning(diagnostic))
            warnings.append(diagnostic)
        }

        var basis = examine(routes, on: base)
        if basis.duplicatesMerged > 0 {
            let note = "merged \(basis.duplicatesMerged) duplicate incident(s) given twice (same id, or same day and place "
                + "from another file); --keep-duplicates keeps them"
            notes.append(note)
            events(.note(note))
        }
        if basis.applicable == 0, !allowEmpty { throw NoApplicableIncidents(description: emptyReason(basis, model: base.model)) }
        if let stale = staleness(basis, model: base.model) { warn(stale) }
        for (name, labels) in [("category_weights", basis.unknownCategories), ("target_weights", basis.unknownTargets)] where !labels.isEmpty {
            warn("\(labels.count) value(s) not in the model's \(name) (or its aliases) weigh 1: "
                + labels.map { "\"\($0.label)\" (\($0.count))" }.joined(separator: ", "))
        }

        let routeKm = ScoreRequest.measurableKm(routes)
        let path = path(forRouteKm: routeKm)
        let scored = try await scoreRoutes(routes, asOf: asOf, data: base.data, path: path, jobs: jobs) { note in
            notes.append(note)
            events(.note(note))
        }
        var results: [RouteResult] = []
        var failed: [String] = []
        for (route, outcome) in zip(routes, scored) {
            do {
                results.append(try outcome.get())
            } catch {
                let diagnostic = Diagnostic(file: "route", location: route.id, reason: "\(error)")
                if strict { throw InputError(diagnostic) }
                failed.append(route.id)
                events(.warning(diagnostic))
                warnings.append(diagnostic)
            }
        }
        var ranked = rank(results, by: rankBy)
        if let top { ranked = Array(ranked.prefix(top)) }

        let shapes = Dictionary(uniqueKeysWithValues: routes.map { ($0.id, $0.shape) })
        let area = CoverageArea(incidents: base.incidents, zones: base.zones, reachKm: base.model.cutoffKm)
        let measured = try await parallelMap(ranked.map(\.result.id), jobs: jobs, worker: { try CoverageArea.Meter(area) }) {
            meter, id in (id, try? meter.coverage(of: shapes[id]!))
        }
        var coverage: [String: RouteCoverage] = [:]
        for case let (id, found?) in measured { coverage[id] = found }
        basis.coverage = Dictionary(grouping: coverage.values, by: \.verdict).mapValues(\.count)

        let leading = Set(ranked.flatMap { $0.result.topIncidents.map(\.id) })
        var byID: [String: Incident] = [:]
        for incident in base.incidents where leading.contains(incident.id) && byID[incident.id] == nil { byID[incident.id] = incident }
        return ScoreOutcome(asOf: asOf, model: base.model, path: path, routeKm: routeKm, ranked: ranked, rankedBy: rankBy,
                            shapes: shapes, warnings: warnings, notes: notes, failedRoutes: failed, basis: basis,
                            coverage: coverage, incidents: byID)
    }

    /// The basis of an answer on `routes` against `base`, before scoring (coverage is filled in after).
    public func examine(_ routes: [Route], on base: ScoringBase) -> Basis {
        let model = base.model
        let kept = base.incidents
        let times = Set(routes.map { $0.departsAt ?? asOf }).sorted()
        let timeline = IncidentTimeline(kept, times: times.isEmpty ? [asOf] : times, model: model)
        return Basis(provenance: base.provenance, incidentsRead: base.incidentsRead,
                     rejected: base.provenance.incidentFiles.reduce(0) { $0 + $1.rejected },
                     duplicatesMerged: base.merges.count, merges: base.merges, applicable: timeline.applicable, decayed: timeline.decayed,
                     afterEvaluation: timeline.afterEvaluation, earliest: kept.map(\.time).min(), latest: kept.map(\.time).max(),
                     evaluatedFrom: times.first, evaluatedTo: times.last, zones: base.zones.count, coverage: [:],
                     unknownCategories: unknownLabels(kept.map(\.category), key: model.categoryKey, table: model.categoryWeights),
                     unknownTargets: unknownLabels(kept.map(\.target), key: model.targetKey, table: model.targetWeights))
    }

    /// Days an incident counts for: until its decay falls below `min_decay`.
    static func lifetimeDays(_ model: Model) -> Double? {
        model.minDecay > 0 ? model.halfLifeDays * log2(1 / model.minDecay) : nil
    }

    /// Why nothing applies, with the figures and what to do about it.
    func emptyReason(_ basis: Basis, model: Model) -> String {
        let at = basis.evaluatedFrom == basis.evaluatedTo
            ? "the evaluation time \(day(basis.evaluatedFrom ?? asOf))"
            : "any evaluation time (\(day(basis.evaluatedFrom ?? asOf)) to \(day(basis.evaluatedTo ?? asOf)))"
        var text = "no incident applies at \(at), so every score would rest on zones alone: "
        let files = basis.provenance.incidentFiles.map(\.name).joined(separator: ", ")
        let from = files.isEmpty ? "" : " from \(files)"
        if basis.incidentsRead == 0 {
            text += "no incident was read\(from) (\(basis.rejected) row(s) rejected)"
        } else {
            text += "of \(basis.incidents) incident(s)\(from) (\(basis.rejected) row(s) rejected, \(basis.duplicatesMerged) duplicate(s) merged), "
                + "\(basis.decayed) had decayed below min_decay \(model.minDecay) and \(basis.afterEvaluation) are later than the evaluation time"
            if let earliest = basis.earliest, let latest = basis.latest {
                text += "; they run from \(day(earliest)) to \(day(latest))"
                if let life = ScoreRequest.lifetimeDays(model) {
                    text += String(format: ", and with a half-life of %g days an incident counts for %.0f days, so the newest counts until %@",
                                   model.halfLifeDays, life, day(latest.addingTimeInterval(life * 86_400)))
                }
            }
        }
        return text + ". Evaluate at a time the data covers (--as-of, or the routes' departs_at), give more recent incidents, "
            + "or allow it explicitly (--allow-empty)"
    }

    /// A warning when the newest incident is more than a half-life older than the earliest
    /// evaluation time: every incident then weighs less than half of what it did.
    func staleness(_ basis: Basis, model: Model) -> String? {
        guard let latest = basis.latest, let from = basis.evaluatedFrom, latest <= from else { return nil }
        let age = from.timeIntervalSince(latest) / 86_400
        guard age > model.halfLifeDays else { return nil }
        return String(format: "stale data: the newest incident (%@) is %.0f days older than the evaluation time %@ "
            + "(half-life %g days): it weighs %.3g of its full weight, and older ones less", day(latest), age, day(from),
            model.halfLifeDays, pow(0.5, age / model.halfLifeDays))
    }

    private func day(_ date: Date) -> String {
        String(iso8601Day(date))
    }

    /// The total length of the routes that can be measured. One that cannot (a coordinate off
    /// the globe in a route made in memory) fails when it is scored and is reported then, so it
    /// adds nothing to the choice of path.
    static func measurableKm(_ routes: [Route]) -> Double {
        var total = 0.0
        for route in routes {
            if let km = try? Geodesic.wgs84.lengthKm(of: route.shape) { total += km }
        }
        return total
    }
}

/// Something a scoring request reports while it runs.
public enum ScoringEvent: Sendable, Equatable {
    /// A skipped input row or feature, or a route that could not be scored.
    case warning(Diagnostic)
    /// Information about the run, such as the hazard grid's size.
    case note(String)
}

/// What a scoring request produced, ready for `RiskReport.Report`.
public struct ScoreOutcome: Sendable {
    public var asOf: Date
    /// The effective model.
    public var model: Model
    /// The path the routes were scored on (the fast path may still have fallen back to exact, as
    /// a note then says).
    public var path: ScoringPath
    /// The route-km that chose the path.
    public var routeKm: Double
    /// Highest first, ties in input order, cut to the request's top.
    public var ranked: [(rank: Int, result: RouteResult)]
    public var rankedBy: RankKey
    /// Every input route's geometry by id, for GeoJSON output.
    public var shapes: [String: Shape]
    /// The inputs' warnings, then one per route that could not be scored.
    public var warnings: [Diagnostic]
    public var notes: [String]
    /// The ids of the routes that could not be scored (each also has a warning), in input order:
    /// a front end reports a partial failure when there are any.
    public var failedRoutes: [String]
    /// What the scores rest on.
    public var basis: Basis
    /// Each ranked route's coverage verdict, by id.
    public var coverage: [String: RouteCoverage]
    /// The leading incidents of the ranked routes, by id, so reports can name them.
    public var incidents: [String: Incident]
}

/// `yyyy-MM-dd` in UTC.
public func iso8601Day(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().dateSeparator(.dash))
}

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

    public init(asOf: Date, rankBy: RankKey = .exposure, top: Int? = nil, exact: Bool = false, jobs: Int = 1,
                strict: Bool = false) {
        self.asOf = asOf
        self.rankBy = rankBy
        self.top = top
        self.exact = exact
        self.jobs = jobs
        self.strict = strict
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
    }

    /// The path for this many route-km: exact below `fastPathFromKm` or when `exact` is set.
    public func path(forRouteKm km: Double) -> ScoringPath {
        exact || km < ScoreRequest.fastPathFromKm ? .exact : .fast
    }

    /// Scores `inputs.routes` against the rest of `inputs`. `events` hears, in this order, the
    /// inputs' warnings, the scoring notes (such as the grid's size), and one warning per route
    /// that could not be scored; the outcome carries them all as well.
    public func run(_ inputs: ScoringInputs, events: (ScoringEvent) -> Void = { _ in }) async throws -> ScoreOutcome {
        try validate()
        var warnings = inputs.warnings
        var notes: [String] = []
        warnings.forEach { events(.warning($0)) }

        let data = try ScoringData(incidents: inputs.incidents, zones: inputs.zones, model: inputs.model)
        let routeKm = ScoreRequest.measurableKm(inputs.routes)
        let path = path(forRouteKm: routeKm)
        let scored = try await scoreRoutes(inputs.routes, asOf: asOf, data: data, path: path, jobs: jobs) { note in
            notes.append(note)
            events(.note(note))
        }
        var results: [RouteResult] = []
        for (route, outcome) in zip(inputs.routes, scored) {
            do {
                results.append(try outcome.get())
            } catch {
                let diagnostic = Diagnostic(file: "route", location: route.id, reason: "\(error)")
                if strict { throw InputError(diagnostic) }
                events(.warning(diagnostic))
                warnings.append(diagnostic)
            }
        }
        var ranked = rank(results, by: rankBy)
        if let top { ranked = Array(ranked.prefix(top)) }
        return ScoreOutcome(asOf: asOf, model: inputs.model, path: path, routeKm: routeKm, ranked: ranked, rankedBy: rankBy,
                            shapes: Dictionary(uniqueKeysWithValues: inputs.routes.map { ($0.id, $0.shape) }),
                            warnings: warnings, notes: notes)
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
}

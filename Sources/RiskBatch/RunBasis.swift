import Foundation
import Geo
import RiskCore
import RiskEngine

/// What a run's scores rest on (issue 9; docs/output.md, "The basis of a run"), worked out when
/// the run is opened and kept with it, so that `store status` and `store scores` can say it later.
/// The model rests in `RunInputs.modelHash`. The batch merges no duplicates: `store import`
/// merges them as they arrive, so the store holds none to merge.
public struct RunBasis: Sendable, Equatable {
    /// Incidents in the store when the run was opened.
    public var incidents: Int
    /// Of those: the ones that count at some selected departure, the ones that had decayed below
    /// `min_decay` by every later departure, and the ones after every departure (no look-ahead),
    /// as `IncidentTimeline` tells them apart.
    public var applicable: Int
    public var decayed: Int
    public var afterEvaluation: Int
    /// The stored incidents' earliest and latest time (nil without incidents).
    public var earliest: Date?
    public var latest: Date?
    /// The selected departures, earliest and latest (nil when none was selected).
    public var departuresFrom: Date?
    public var departuresTo: Date?
    /// Zones in the store.
    public var zones: Int
    /// Selected movements per coverage verdict of their route (`CoverageArea`); a movement whose
    /// route is missing or unreadable has none (it fails).
    public var coverage: [CoverageVerdict: Int]

    public init(incidents: Int = 0, applicable: Int = 0, decayed: Int = 0, afterEvaluation: Int = 0, earliest: Date? = nil,
                latest: Date? = nil, departuresFrom: Date? = nil, departuresTo: Date? = nil, zones: Int = 0,
                coverage: [CoverageVerdict: Int] = [:]) {
        self.incidents = incidents
        self.applicable = applicable
        self.decayed = decayed
        self.afterEvaluation = afterEvaluation
        self.earliest = earliest
        self.latest = latest
        self.departuresFrom = departuresFrom
        self.departuresTo = departuresTo
        self.zones = zones
        self.coverage = coverage
    }

    /// Movements whose route lies outside the data.
    public var outsideCoverage: Int { coverage[.outside] ?? 0 }

    /// The basis of a run over `movements` (its selection) with these stored inputs; coverage is
    /// measured once per route, on `jobs` tasks.
    public static func of(movements: [Movement], incidents: [Incident], zones: [Zone], routes: StoredRoutes, model: Model,
                          jobs: Int) async throws -> RunBasis {
        let departures = Set(movements.map(\.departsAt)).sorted()
        let timeline = IncidentTimeline(incidents, times: departures, model: model)
        let area = CoverageArea(incidents: incidents, zones: zones, reachKm: model.cutoffKm)
        let routeIDs = Set(movements.map(\.routeID)).filter { routes.routes[$0] != nil }.sorted()
        // A route whose coverage cannot be measured (GEOS refuses its geometry) has no verdict, as
        // in `score`: its movements fail when they are scored.
        let measured = try await parallelMap(routeIDs, jobs: jobs, worker: { try CoverageArea.Meter(area) }) { meter, id in
            (id, routes.routes[id].flatMap { try? meter.coverage(of: $0.shape).verdict })
        }
        var verdicts: [String: CoverageVerdict] = [:]
        for case let (id, verdict?) in measured { verdicts[id] = verdict }
        var coverage: [CoverageVerdict: Int] = [:]
        for movement in movements {
            if let verdict = verdicts[movement.routeID] { coverage[verdict, default: 0] += 1 }
        }
        return RunBasis(incidents: incidents.count, applicable: timeline.applicable, decayed: timeline.decayed,
                        afterEvaluation: timeline.afterEvaluation, earliest: incidents.map(\.time).min(),
                        latest: incidents.map(\.time).max(), departuresFrom: departures.first, departuresTo: departures.last,
                        zones: zones.count, coverage: coverage)
    }
}

/// How stores keep a run's basis: one compact JSON object, times in seconds since 1970. One codec
/// for every adapter, so a run copied between stores reads back the same.
public enum RunBasisJSON {
    /// The column of a run recorded before runs kept a basis (the migrations write it), so that
    /// an empty column is a damaged row, not an old one.
    public static let unrecorded = "unrecorded"

    /// A run's `basis` column.
    public static func column(_ basis: RunBasis?) -> String {
        basis.map(encode) ?? unrecorded
    }

    /// A run's basis from its `basis` column: nil when `unrecorded`.
    public static func fromColumn(_ text: String) throws -> RunBasis? {
        text == unrecorded ? nil : try decode(text)
    }

    public static func encode(_ b: RunBasis) -> String {
        func time(_ date: Date?) -> JSONValue { date.map { .number($0.timeIntervalSince1970) } ?? .null }
        func count(_ n: Int) -> JSONValue { .number(Double(n)) }
        return JSONValue.object([
            .init("incidents", count(b.incidents)), .init("applicable", count(b.applicable)), .init("decayed", count(b.decayed)),
            .init("after_evaluation", count(b.afterEvaluation)), .init("earliest", time(b.earliest)), .init("latest", time(b.latest)),
            .init("departures_from", time(b.departuresFrom)), .init("departures_to", time(b.departuresTo)),
            .init("zones", count(b.zones)),
            .init("coverage", .object(CoverageVerdict.allCases.map { .init($0.rawValue, count(b.coverage[$0] ?? 0)) })),
        ]).serialized()
    }

    /// The basis in `text`; every member is required (a missing one is an error, never a 0).
    public static func decode(_ text: String) throws -> RunBasis {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw ResultJSON.Invalid(reason: "not JSON: \(error)")
        }
        guard value.objectMembers != nil else { throw ResultJSON.Invalid(reason: "\(value.kindName), not an object") }
        func member(_ object: JSONValue, _ key: String, in path: String = "") throws -> JSONValue {
            guard let found = object[key] else { throw ResultJSON.Invalid(reason: "no \"\(path)\(key)\"") }
            return found
        }
        func count(_ key: String, of object: JSONValue, in path: String = "") throws -> Int {
            let found = try member(object, key, in: path)
            guard let number = found.numberValue, number >= 0, number <= Double(Int32.max), number == number.rounded() else {
                throw ResultJSON.Invalid(reason: "\"\(path)\(key)\" is \(found.serialized()), not a count")
            }
            return Int(number)
        }
        func time(_ key: String) throws -> Date? {
            let found = try member(value, key)
            if found == .null { return nil }
            guard let seconds = found.numberValue, seconds.isFinite else {
                throw ResultJSON.Invalid(reason: "\"\(key)\" is \(found.kindName), not a time in seconds or null")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        let coverageObject = try member(value, "coverage")
        guard coverageObject.objectMembers != nil else {
            throw ResultJSON.Invalid(reason: "\"coverage\" is \(coverageObject.kindName), not an object")
        }
        var coverage: [CoverageVerdict: Int] = [:]
        for verdict in CoverageVerdict.allCases {
            let n = try count(verdict.rawValue, of: coverageObject, in: "coverage.")
            if n > 0 { coverage[verdict] = n }
        }
        return RunBasis(incidents: try count("incidents", of: value), applicable: try count("applicable", of: value),
                        decayed: try count("decayed", of: value), afterEvaluation: try count("after_evaluation", of: value),
                        earliest: try time("earliest"), latest: try time("latest"), departuresFrom: try time("departures_from"),
                        departuresTo: try time("departures_to"), zones: try count("zones", of: value), coverage: coverage)
    }
}

import Foundation
import Geo
import RiskCore

/// Where the batch keeps its inputs, runs and scores: what `BatchRunner` and the `store`
/// commands need, in domain values only, so that any database (SQLite today, PostgreSQL next)
/// or a service handing chunks to workers can stand behind it.
///
/// Every method is one unit of work: an adapter does each in one transaction. The requirements
/// are `async` for adapters that talk to a server; an in-process adapter may implement them
/// synchronously. Reading back a stored value that cannot be decoded throws
/// `StoredValueError`, never a default. `StoreContractTests` checks an adapter against this
/// contract.
public protocol BatchStore {
    // MARK: Model

    /// The model saved with `setModel`, else the spec's defaults.
    func model() async throws -> Model
    func setModel(_ model: Model) async throws

    // MARK: Imports (add or update by id)

    func upsert(zones: [Zone]) async throws
    /// Adds new incidents and updates changed ones in one new revision (`incidentRevision`),
    /// which records what each added or changed (`StoredIncident`). An incident is changed when
    /// a field that scoring reads differs (`Incident.scoresLike`); other fields are updated
    /// without a new revision, and an import that adds or changes nothing leaves the revision.
    @discardableResult
    func upsert(incidents: [Incident]) async throws -> IncidentImport
    func upsert(routes: [Route]) async throws
    /// Adds or updates movements; one whose route is not in the store is refused, the others kept.
    @discardableResult
    func upsert(movements: [Movement]) async throws -> [RefusedMovement]

    // MARK: Inputs

    /// By id.
    func zones() async throws -> [Zone]
    /// By time, then id.
    func incidents() async throws -> [StoredIncident]
    /// The latest incident revision; 0 before any incident is imported.
    func incidentRevision() async throws -> Int
    func routes() async throws -> StoredRoutes
    /// Every movement, by departure, then id.
    func movements() async throws -> [Movement]
    /// The scheduled movements departing in `window` from `asOf`
    /// (`BatchWindow.departures(from:)`), by departure, then id.
    func scheduledMovements(in window: BatchWindow, from asOf: Date) async throws -> [Movement]
    func counts() async throws -> StoreCounts

    // MARK: Runs

    /// Resumes the latest running run if `request.resumes(_:)` it; otherwise marks every running
    /// run abandoned (finished at `request.startedAt`) and starts a new one, with counters at 0.
    func openRun(_ request: RunRequest) async throws -> OpenedRun
    func setSelected(_ count: Int, run: Int) async throws
    /// The movements with an outcome (a score or a failure) in a run.
    func movementsDone(run: Int) async throws -> Set<String>
    /// Stores a chunk of outcomes and adds `RunCounters(tallying:)` of them to the run's
    /// counters, all or nothing. Refused when the run is not running or a movement already has
    /// an outcome in it.
    func record(_ outcomes: [MovementOutcome], run: Int) async throws
    /// Marks a running run completed; the store may then drop other runs' hazard profiles.
    func finishRun(_ run: Int, at time: Date) async throws -> RunRecord
    /// By id.
    func runs() async throws -> [RunRecord]
    func run(id: Int) async throws -> RunRecord?
    func latestCompletedRun() async throws -> RunRecord?

    // MARK: Results

    /// Every score of a run, with route fingerprints and profiles, in no particular order.
    func scoreRecords(run: Int) async throws -> [ScoreRecord]
    /// A run's scores, riskiest first (`MovementScore.riskier`), at most `limit` of them, each named by its route's current name
    /// and labelled with its movement's current labels.
    func scores(run: Int, limit: Int?) async throws -> [MovementScore]
    /// Scores per band in a run, every band present.
    func bandCounts(run: Int) async throws -> [Band: Int]
    /// The movements scored in both runs whose band is higher in `run` than in `previous`.
    func bandRises(run: Int, since previous: Int) async throws -> [BandRise]
    /// By movement id.
    func failures(run: Int) async throws -> [MovementFailure]
}

extension BatchStore {
    /// Every score of a run, riskiest first.
    public func scores(run: Int) async throws -> [MovementScore] {
        try await scores(run: run, limit: nil)
    }
}

/// An incident with the revisions that added it and last changed it.
public struct StoredIncident: Sendable, Equatable {
    public var incident: Incident
    public var createdRevision: Int
    public var changedRevision: Int

    public init(incident: Incident, createdRevision: Int, changedRevision: Int) {
        self.incident = incident
        self.createdRevision = createdRevision
        self.changedRevision = changedRevision
    }
}

extension Incident {
    /// Whether scoring sees the two as the same incident: time, place, casualties, category and
    /// target equal (description and source do not count).
    public func scoresLike(_ other: Incident) -> Bool {
        time == other.time && location == other.location && killed == other.killed && injured == other.injured
            && category == other.category && target == other.target
    }
}

extension Movement {
    /// The order stores list movements in: by departure, then id.
    public static func departsBefore(_ a: Movement, _ b: Movement) -> Bool {
        a.departsAt != b.departsAt ? a.departsAt < b.departsAt : a.id < b.id
    }
}

/// Routes by id. A route whose stored geometry cannot be read is in `unreadable` with the
/// reason instead, so that only its movements fail.
public struct StoredRoutes: Sendable, Equatable {
    public var routes: [String: Route]
    public var unreadable: [String: String]

    public init(routes: [String: Route] = [:], unreadable: [String: String] = [:]) {
        self.routes = routes
        self.unreadable = unreadable
    }
}

public struct IncidentImport: Sendable, Equatable {
    public var added: Int
    public var changed: Int

    public init(added: Int, changed: Int) {
        self.added = added
        self.changed = changed
    }
}

public struct RefusedMovement: Sendable, Equatable {
    public var id: String
    public var reason: String

    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }
}

public struct StoreCounts: Equatable, Sendable {
    public var zones = 0, incidents = 0, routes = 0, movements = 0, scheduled = 0, runs = 0

    public init(zones: Int = 0, incidents: Int = 0, routes: Int = 0, movements: Int = 0, scheduled: Int = 0, runs: Int = 0) {
        self.zones = zones
        self.incidents = incidents
        self.routes = routes
        self.movements = movements
        self.scheduled = scheduled
        self.runs = runs
    }
}

/// A store refused an operation, or cannot be used.
public struct StoreError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A stored value that cannot be read back: missing, NULL where a value is required, of the
/// wrong type, not finite, or not in its format.
public struct StoredValueError: Error, CustomStringConvertible, Equatable {
    /// The store, as its adapter names it (a file, a database).
    public var store: String
    public var table: String
    /// The row's key, e.g. `id "z1"` or `run_id 3, movement_id "m1"`.
    public var row: String
    public var column: String
    public var reason: String

    public init(store: String, table: String, row: String, column: String, reason: String) {
        self.store = store
        self.table = table
        self.row = row
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(store): \(table) row \(row), column \(column): \(reason)" }
}

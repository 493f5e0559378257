import Foundation
import Geo
import RiskCore

/// A `BatchStore` in memory, for tests and for trying the batch without a database. Like the
/// SQLite store, it belongs to one task at a time (not `Sendable`). Every method either does all
/// of its work or, when it throws, none of it.
public final class InMemoryStore: BatchStore {
    private var storedModel: Model?
    private var zoneTable: [String: Zone] = [:]
    private var incidentTable: [String: StoredIncident] = [:]
    private var revision = 0
    private var routeTable: [String: Route] = [:]
    private var movementTable: [String: Movement] = [:]
    /// Runs by id - 1.
    private var runTable: [RunRecord] = []
    private var scoreTable: [Int: [String: ScoreRecord]] = [:]
    private var failureTable: [Int: [String: MovementFailure]] = [:]

    public init() {}

    // MARK: Model

    public func model() throws -> Model { storedModel ?? Model() }

    public func setModel(_ model: Model) throws { storedModel = model }

    // MARK: Imports

    public func upsert(zones: [Zone]) throws {
        for zone in zones { zoneTable[zone.id] = zone }
    }

    @discardableResult
    public func upsert(incidents: [Incident]) throws -> IncidentImport {
        let next = revision + 1
        var counts = IncidentImport(added: 0, changed: 0)
        for incident in incidents {
            if var stored = incidentTable[incident.id] {
                if !stored.incident.scoresLike(incident) {
                    stored.changedRevision = next
                    counts.changed += 1
                }
                stored.incident = incident
                incidentTable[incident.id] = stored
            } else {
                incidentTable[incident.id] = StoredIncident(incident: incident, createdRevision: next, changedRevision: next)
                counts.added += 1
            }
        }
        if counts.added + counts.changed > 0 { revision = next }
        return counts
    }

    public func upsert(routes: [Route]) throws {
        for route in routes {
            var stored = route
            stored.departsAt = nil  // a route's departure belongs to its movements
            routeTable[route.id] = stored
        }
    }

    @discardableResult
    public func upsert(movements: [Movement]) throws -> [RefusedMovement] {
        var refused: [RefusedMovement] = []
        for movement in movements {
            guard routeTable[movement.routeID] != nil else {
                refused.append(RefusedMovement(id: movement.id, reason: "route \"\(movement.routeID)\" is not in the store"))
                continue
            }
            movementTable[movement.id] = movement
        }
        return refused
    }

    // MARK: Inputs

    public func zones() throws -> [Zone] {
        zoneTable.values.sorted { $0.id < $1.id }
    }

    public func incidents() throws -> [StoredIncident] {
        incidentTable.values.sorted {
            $0.incident.time != $1.incident.time ? $0.incident.time < $1.incident.time : $0.incident.id < $1.incident.id
        }
    }

    public func incidentRevision() throws -> Int { revision }

    public func routes() throws -> StoredRoutes { StoredRoutes(routes: routeTable) }

    public func movements() throws -> [Movement] {
        movementTable.values.sorted(by: Movement.departsBefore)
    }

    public func scheduledMovements(in window: BatchWindow, from asOf: Date) throws -> [Movement] {
        let departures = window.departures(from: asOf)
        return try movements().filter { movement in
            guard movement.status == .scheduled else { return false }
            guard let departures else { return true }
            return departures.contains(movement.departsAt.timeIntervalSince1970)
        }
    }

    public func counts() throws -> StoreCounts {
        StoreCounts(zones: zoneTable.count, incidents: incidentTable.count, routes: routeTable.count, movements: movementTable.count,
                    scheduled: movementTable.values.filter { $0.status == .scheduled }.count, runs: runTable.count)
    }

    // MARK: Runs

    public func openRun(_ request: RunRequest) throws -> OpenedRun {
        if let running = runTable.last(where: { $0.status == .running }), request.resumes(running) {
            return OpenedRun(run: running, resumed: true)
        }
        for index in runTable.indices where runTable[index].status == .running {
            runTable[index].status = .abandoned
            runTable[index].finishedAt = request.startedAt
        }
        let run = RunRecord(id: runTable.count + 1, startedAt: request.startedAt, finishedAt: nil, asOf: request.asOf,
                            window: request.window, mode: request.mode, status: .running, inputs: request.inputs,
                            counters: RunCounters(), basis: request.basis)
        runTable.append(run)
        return OpenedRun(run: run, resumed: false)
    }

    public func setSelected(_ count: Int, run: Int) throws {
        let index = try runIndex(run)
        runTable[index].counters.selected = count
    }

    public func movementsDone(run: Int) throws -> Set<String> {
        Set(scoreTable[run, default: [:]].keys).union(failureTable[run, default: [:]].keys)
    }

    public func record(_ outcomes: [MovementOutcome], run: Int) throws {
        let index = try runIndex(run)
        guard runTable[index].status == .running else {
            throw StoreError("run \(run) is \(runTable[index].status.rawValue); only a running run takes outcomes")
        }
        // Check everything first, so that a refused chunk leaves nothing behind.
        var seen = try movementsDone(run: run)
        for outcome in outcomes where !seen.insert(outcome.movementID).inserted {
            throw StoreError("movement \(outcome.movementID) already has an outcome in run \(run)")
        }
        for outcome in outcomes {
            switch outcome {
            case .scored(var record):
                record.score.result.name = nil  // as stored: names live with routes, labels with movements
                record.score.labels = nil
                scoreTable[run, default: [:]][record.score.movementID] = record
            case .failed(let failure):
                failureTable[run, default: [:]][failure.movementID] = failure
            }
        }
        runTable[index].counters = runTable[index].counters + RunCounters(tallying: outcomes)
    }

    public func finishRun(_ run: Int, at time: Date) throws -> RunRecord {
        let index = try runIndex(run)
        guard runTable[index].status == .running else {
            throw StoreError("run \(run) is \(runTable[index].status.rawValue); only a running run can be finished")
        }
        runTable[index].status = .completed
        runTable[index].finishedAt = time
        // Only the latest completed run's profiles are ever read again.
        for other in scoreTable.keys where other != run {
            for movement in scoreTable[other, default: [:]].keys { scoreTable[other]?[movement]?.profile = nil }
        }
        return runTable[index]
    }

    public func runs() throws -> [RunRecord] { runTable }

    public func run(id: Int) throws -> RunRecord? {
        runTable.indices.contains(id - 1) ? runTable[id - 1] : nil
    }

    public func latestCompletedRun() throws -> RunRecord? {
        runTable.last { $0.status == .completed }
    }

    private func runIndex(_ run: Int) throws -> Int {
        guard runTable.indices.contains(run - 1) else { throw StoreError("no run \(run)") }
        return run - 1
    }

    // MARK: Results

    public func scoreRecords(run: Int) throws -> [ScoreRecord] {
        Array(scoreTable[run, default: [:]].values)
    }

    public func scores(run: Int, limit: Int?) throws -> [MovementScore] {
        // Named by the route's current name, as stored scores carry none.
        let sorted = try scoreRecords(run: run).map { record in
            var score = record.score
            score.result.name = routeTable[score.routeID]?.name
            score.labels = movementTable[score.movementID]?.labels
            return score
        }.sorted(by: MovementScore.riskier)
        return limit.map { Array(sorted.prefix($0)) } ?? sorted
    }

    public func bandCounts(run: Int) throws -> [Band: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Band.allCases.map { ($0, 0) })
        for record in try scoreRecords(run: run) { counts[record.score.result.band, default: 0] += 1 }
        return counts
    }

    public func bandRises(run: Int, since previous: Int) throws -> [BandRise] {
        let before = scoreTable[previous, default: [:]]
        return try scoreRecords(run: run).compactMap { record in
            guard let old = before[record.score.movementID]?.score.result, record.score.result.band > old.band else { return nil }
            return BandRise(current: record.score, previousBand: old.band, previousScore: old.score)
        }
    }

    public func failures(run: Int) throws -> [MovementFailure] {
        failureTable[run, default: [:]].values.sorted { $0.movementID < $1.movementID }
    }
}

import Foundation
import Geo
import RiskCore

/// Re-scores the scheduled movements of a store and records one run.
///
/// Each movement is scored at its own departure time. When the previous completed run scored
/// the same movement at the same time over the same route, zones and model, its score is
/// carried forward: unchanged if no new incident can reach the route, or updated with just the
/// new incidents' contributions (`MovementDecision`). Everything else is scored from scratch.
/// Outcomes are recorded in chunks of `transactionSize`, each together with the run's counters,
/// so a crash at any moment leaves a consistent store; the next call resumes the interrupted run.
public struct BatchRunner<Store: BatchStore> {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// - Parameter asOfGiven: false when `options.asOf` is only a default (now): an interrupted
    ///   run is then resumed at its own `asOf`.
    public func run(_ options: BatchOptions, asOfGiven: Bool = true,
                    progress: ((_ done: Int, _ total: Int) -> Void)? = nil) async throws -> BatchOutcome {
        let plan = try await self.plan(options, asOfGiven: asOfGiven)
        let run = plan.opened.run
        try await store.setSelected(plan.movements.count, run: run.id)
        let done = try await store.movementsDone(run: run.id)
        var previous: [String: ScoreRecord] = [:]
        if let previousRun = plan.previousRun, plan.buildsOnPrevious {
            for record in try await store.scoreRecords(run: previousRun.id) { previous[record.score.movementID] = record }
        }

        let pending = plan.movements.filter { !done.contains($0.id) }
        var finished = plan.movements.count - pending.count
        progress?(finished, plan.movements.count)
        let size = max(1, options.transactionSize)
        for start in stride(from: 0, to: pending.count, by: size) {
            let chunk = Array(pending[start..<min(start + size, pending.count)])
            try await store.record(try await plan.outcomes(for: chunk, previous: previous, jobs: options.jobs), run: run.id)
            finished += chunk.count
            progress?(finished, plan.movements.count)
        }

        let completed = try await store.finishRun(run.id, at: Date())
        return try await outcome(of: completed, plan: plan)
    }

    /// Opens (or resumes) the run and gathers what scoring it needs. `BatchWorker` shares it.
    /// `shared`: opened by a worker, which shares the run with other processes.
    func plan(_ options: BatchOptions, asOfGiven: Bool, shared: Bool = false) async throws -> RunPlan {
        let model: Model
        if let chosen = options.model { model = chosen } else { model = try await store.model() }
        let zones = try await store.zones()
        let routes = try await store.routes()
        // Checked and recorded before a run is opened, at the window the options give (a resumed
        // run's own window may start elsewhere; it was checked, and its basis recorded, when it began).
        let selected = try await store.scheduledMovements(in: options.window, from: options.asOf)
        let stored = try await store.incidents().map(\.incident)
        let basis = try await RunBasis.of(movements: selected, incidents: stored, zones: zones, routes: routes, model: model,
                                          jobs: options.jobs)
        if !options.allowEmpty, let first = basis.departuresFrom, let last = basis.departuresTo, basis.applicable == 0 {
            let departures = Set(selected.map(\.departsAt)).sorted()
            throw NothingApplies(departures: departures.count, from: first, to: last, incidents: stored.count,
                                 timeline: IncidentTimeline(stored, times: departures, model: model))
        }
        let inputs = RunInputs(modelHash: Fingerprint.of(model), zonesHash: Fingerprint.of(zones),
                               incidentRevision: try await store.incidentRevision())
        let opened = try await store.openRun(RunRequest(asOf: options.asOf, asOfGiven: asOfGiven, window: options.window,
                                                        mode: options.full ? .full : .incremental, model: model, inputs: inputs,
                                                        startedAt: Date(), shared: shared, basis: basis))
        let movements = opened.run.asOf == options.asOf ? selected
            : try await store.scheduledMovements(in: options.window, from: opened.run.asOf)

        // What the previous completed run can lend: its scores, unless the model, the zones or an
        // incident it saw has changed since (then every movement is scored from scratch).
        let incidents = try await store.incidents()
        var previousRun = try await store.latestCompletedRun()
        if let candidate = previousRun, candidate.id >= opened.run.id { previousRun = nil }
        var newSince: Set<String> = []
        var buildsOnPrevious = false
        if let previousRun {
            let watermark = previousRun.inputs.incidentRevision
            newSince = Set(incidents.filter { $0.createdRevision > watermark }.map(\.incident.id))
            let changedSince = incidents.contains { $0.createdRevision <= watermark && $0.changedRevision > watermark }
            buildsOnPrevious = !options.full && !changedSince && previousRun.inputs.modelHash == inputs.modelHash
                && previousRun.inputs.zonesHash == inputs.zonesHash
        }
        let data = try ScoringData(incidents: incidents.map(\.incident), zones: zones, model: model)
        return RunPlan(opened: opened, movements: movements, data: data, routes: routes, previousRun: previousRun,
                       buildsOnPrevious: buildsOnPrevious, newSince: newSince,
                       newIndexes: Set(data.incidents.indices.filter { newSince.contains(data.incidents[$0].id) }),
                       incidentsByID: Self.byID(incidents))
    }

    /// The summary of a stored run, as `run` returned it when the run finished: escalations
    /// against the completed run before it, driven by the incidents new since that run.
    public func summary(of run: RunRecord) async throws -> BatchOutcome {
        let previousRun = try await store.runs().last { $0.id < run.id && $0.status == .completed }
        let stored = try await store.incidents()
        var newSince: Set<String> = []
        if let previousRun {
            let watermark = previousRun.inputs.incidentRevision
            newSince = Set(stored.filter { $0.createdRevision > watermark }.map(\.incident.id))
        }
        return try await outcome(of: run, previousRun: previousRun, newIncidents: newSince, incidents: Self.byID(stored), resumed: false)
    }

    /// The run's summary once its last movement is scored (`run` and `BatchWorker` share it).
    func outcome(of run: RunRecord, plan: RunPlan) async throws -> BatchOutcome {
        try await outcome(of: run, previousRun: plan.previousRun, newIncidents: plan.newSince, incidents: plan.incidentsByID,
                          resumed: plan.opened.resumed)
    }

    private static func byID(_ stored: [StoredIncident]) -> [String: Incident] {
        Dictionary(stored.map { ($0.incident.id, $0.incident) }, uniquingKeysWith: { first, _ in first })
    }

    /// The run's summary: bands, escalations since the previous run with the new incident that
    /// drives each, the riskiest movements and the failures.
    private func outcome(of run: RunRecord, previousRun: RunRecord?, newIncidents: Set<String>, incidents: [String: Incident],
                         resumed: Bool) async throws -> BatchOutcome {
        var escalations: [Escalation] = []
        if let previousRun {
            escalations = try await store.bandRises(run: run.id, since: previousRun.id).map { rise in
                let result = rise.current.result
                let driver = result.topIncidents.first { newIncidents.contains($0.id) }
                return Escalation(movementID: rise.current.movementID, oldBand: rise.previousBand, newBand: result.band,
                                  oldScore: rise.previousScore, newScore: result.score,
                                  driver: driver.map { EscalationDriver(id: $0.id, closestKm: $0.closestKm, incident: incidents[$0.id]) })
            }
            escalations.sort { ($0.newScore - $0.oldScore, $1.movementID) > ($1.newScore - $1.oldScore, $0.movementID) }
        }
        return BatchOutcome(run: run, bands: try await store.bandCounts(run: run.id), escalations: escalations,
                            riskiest: try await store.scores(run: run.id, limit: 10), failed: try await store.failures(run: run.id),
                            resumed: resumed)
    }
}

/// A run opened and ready to score: its movements, the scoring data, and what the previous
/// completed run can lend.
struct RunPlan {
    var opened: OpenedRun
    /// The scheduled movements in the run's window, by departure.
    var movements: [Movement]
    var data: ScoringData
    var routes: StoredRoutes
    var previousRun: RunRecord?
    /// Whether scores of `previousRun` may be carried forward or updated: same model and zones, no
    /// incident it saw changed since, and not `--full`.
    var buildsOnPrevious: Bool
    /// Ids of the incidents added since `previousRun`.
    var newSince: Set<String>
    /// Their indexes in `data.incidents`.
    var newIndexes: Set<Int>
    /// The stored incidents by id, to name the incident that drives an escalation.
    var incidentsByID: [String: Incident]

    /// Decides and scores a chunk of movements on `jobs` tasks; `previous` holds the previous run's
    /// scores of (at least) these movements when the run builds on it.
    func outcomes(for chunk: [Movement], previous: [String: ScoreRecord], jobs: Int) async throws -> [MovementOutcome] {
        let (data, routes, newIndexes) = (self.data, self.routes, self.newIndexes)
        return try await parallelMap(chunk, jobs: jobs, worker: { try Scorer(data) }) { scorer, movement in
            MovementDecision(movement: movement, routes: routes, previous: previous[movement.id], newIncidents: newIndexes, data: data)
                .outcome(for: movement, scorer: scorer)
        }
    }
}

import Foundation
import RiskCore

/// A store that splits a run into chunks that workers on many machines lease, score and
/// complete (PostgreSQL). A store in one file has no need of it: `BatchRunner` runs there.
public protocol ChunkLeasingStore: BatchStore {
    /// Splits the movements (in order) into chunks of `size` held with the run, unless the run has
    /// chunks already. True when this call made them.
    func planChunks(run: Int, movementIDs: [String], size: Int) async throws -> Bool
    /// Leases the first pending chunk that no live worker holds (a lease expires after `duration`,
    /// and a worker whose connection is gone holds nothing), or nil when none is free now.
    func leaseChunk(run: Int, worker: String, duration: TimeInterval) async throws -> ChunkLease?
    /// Records the chunk's outcomes, with the run's counters, and marks the chunk done, all in one
    /// transaction, so each movement is scored exactly once per run however many workers tried.
    /// When it was the run's last chunk, the run is finished (at `time`) in the same transaction.
    func completeChunk(_ lease: ChunkLease, outcomes: [MovementOutcome], at time: Date) async throws -> ChunkCompletion
    /// Chunks of the run not done yet, leased or not.
    func chunksLeft(run: Int) async throws -> Int
    /// The scores of some movements in a run: the previous run's, for one chunk.
    func scoreRecords(run: Int, movements: [String]) async throws -> [ScoreRecord]
}

public struct ChunkLease: Sendable, Equatable {
    public var run: Int
    public var chunk: Int
    public var movementIDs: [String]
    /// 1 the first time the chunk is leased; more when a worker died holding it.
    public var attempt: Int
    public var worker: String

    public init(run: Int, chunk: Int, movementIDs: [String], attempt: Int, worker: String) {
        self.run = run
        self.chunk = chunk
        self.movementIDs = movementIDs
        self.attempt = attempt
        self.worker = worker
    }
}

public enum ChunkCompletion: Sendable, Equatable {
    /// Recorded; other chunks remain.
    case recorded
    /// Recorded, and it was the last chunk: the run is now completed.
    case finishedRun(RunRecord)
    /// Another worker completed the chunk first; nothing was recorded.
    case alreadyDone
}

public struct WorkerOptions: Sendable {
    /// The run to join or start: window, as-of, model, `--full`, and `jobs` scoring tasks.
    public var batch: BatchOptions
    /// Movements per chunk (a chunk is one transaction).
    public var chunkSize: Int
    /// How long a lease lasts when its worker is silent (a lost machine); a worker whose
    /// connection closed (killed, crashed) loses its lease at once.
    public var lease: TimeInterval
    /// How long to wait before looking again when every chunk left is leased by others.
    public var poll: TimeInterval
    /// This worker's name in the store (host and process by default).
    public var name: String

    public init(batch: BatchOptions, chunkSize: Int = 250, lease: TimeInterval = 300, poll: TimeInterval = 1, name: String) {
        self.batch = batch
        self.chunkSize = chunkSize
        self.lease = lease
        self.poll = poll
        self.name = name
    }
}

/// What one worker did, and the run's summary when it was the one that finished the run.
public struct WorkerReport: Sendable {
    public var run: Int
    public var chunks = 0
    public var movements = 0
    /// Chunks another worker had completed first (their work was dropped).
    public var lost = 0
    public var finished: BatchOutcome?
}

/// One of any number of processes that score a run together: it joins the running run made with
/// the same options (or starts it and splits it into chunks), then leases chunks until none is
/// left. Whichever worker completes the last chunk finishes the run and reports it. The decisions
/// and scores are `BatchRunner`'s, so a run scored by workers equals one scored by `batch`.
public struct BatchWorker<Store: ChunkLeasingStore> {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    public func run(_ options: WorkerOptions, asOfGiven: Bool = true,
                    progress: ((_ chunks: Int, _ movements: Int) -> Void)? = nil) async throws -> WorkerReport {
        let runner = BatchRunner(store: store)
        let plan = try await runner.plan(options.batch, asOfGiven: asOfGiven, shared: true)
        let run = plan.opened.run.id
        var report = WorkerReport(run: run)
        if try await store.planChunks(run: run, movementIDs: plan.movements.map(\.id), size: max(1, options.chunkSize)) {
            try await store.setSelected(plan.movements.count, run: run)
            if plan.movements.isEmpty {
                // No chunk, so no last chunk's completion to finish the run: its planner does.
                report.finished = try await runner.outcome(of: try await store.finishRun(run, at: Date()), plan: plan)
                return report
            }
        }
        let byID = Dictionary(plan.movements.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        while true {
            guard let lease = try await store.leaseChunk(run: run, worker: options.name, duration: options.lease) else {
                if try await store.chunksLeft(run: run) == 0 { return report }
                try await Task.sleep(for: .seconds(options.poll))
                continue
            }
            // A chunk lists the movements the run selected when it started. One this worker's
            // selection lacks (cancelled since, say) is read from the store as it is now; one gone
            // from the store fails below.
            var chunk: [Movement] = []
            var missing: [String] = []
            for id in lease.movementIDs {
                if let movement = byID[id] { chunk.append(movement) } else { missing.append(id) }
            }
            if !missing.isEmpty {
                let all = Dictionary(try await store.movements().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                chunk += missing.compactMap { all[$0] }
            }
            var previous: [String: ScoreRecord] = [:]
            if let previousRun = plan.previousRun, plan.buildsOnPrevious {
                for record in try await store.scoreRecords(run: previousRun.id, movements: lease.movementIDs) {
                    previous[record.score.movementID] = record
                }
            }
            var outcomes = try await plan.outcomes(for: chunk, previous: previous, jobs: options.batch.jobs)
            let scored = Set(outcomes.map(\.movementID))
            for id in lease.movementIDs where !scored.contains(id) {
                outcomes.append(.failed(MovementFailure(movementID: id, reason: "movement \(id) is no longer in the store")))
            }
            switch try await store.completeChunk(lease, outcomes: outcomes, at: Date()) {
            case .alreadyDone:
                report.lost += 1
            case .recorded:
                report.chunks += 1
                report.movements += lease.movementIDs.count
            case .finishedRun(let record):
                report.chunks += 1
                report.movements += lease.movementIDs.count
                report.finished = try await runner.outcome(of: record, plan: plan)
            }
            progress?(report.chunks, report.movements)
        }
    }
}

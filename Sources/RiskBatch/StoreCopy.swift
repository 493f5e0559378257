import Foundation
import RiskCore

/// Everything a store holds, as values: what `routerisk store copy` moves from one store to
/// another, keeping every id, incident revision, run and score (with its hazard profile), so that
/// the next batch on the copy carries scores forward exactly as it would have on the original.
public struct StoreContents: Sendable, Equatable {
    public var model: Model
    public var incidentRevision: Int
    /// By id.
    public var zones: [Zone]
    /// By time, then id.
    public var incidents: [StoredIncident]
    /// By id.
    public var routes: [Route]
    /// By departure, then id.
    public var movements: [Movement]
    /// By id.
    public var runs: [RunContents]

    public init(model: Model, incidentRevision: Int, zones: [Zone], incidents: [StoredIncident], routes: [Route], movements: [Movement],
                runs: [RunContents]) {
        self.model = model
        self.incidentRevision = incidentRevision
        self.zones = zones
        self.incidents = incidents
        self.routes = routes
        self.movements = movements
        self.runs = runs
    }
}

/// A run with what it was scored with and what it recorded.
public struct RunContents: Sendable, Equatable {
    public var record: RunRecord
    /// The JSON of the model the run scored with, as the run keeps it.
    public var model: String
    /// By movement id.
    public var scores: [ScoreRecord]
    /// By movement id.
    public var failures: [MovementFailure]

    public init(record: RunRecord, model: String, scores: [ScoreRecord], failures: [MovementFailure]) {
        self.record = record
        self.model = model
        self.scores = scores
        self.failures = failures
    }
}

/// A store whose whole contents can be read out and written into another, empty one.
public protocol CopyableStore: BatchStore {
    /// The JSON of the model each run scored with, by run id.
    func runModels() async throws -> [Int: String]
    /// Writes `contents` into this store as they are (ids, revisions, runs and their counters),
    /// all or nothing. Refused unless the store is empty.
    func load(_ contents: StoreContents) async throws
}

extension CopyableStore {
    /// Everything the store holds. A route whose stored geometry cannot be read stops the copy,
    /// rather than leaving its movements behind.
    public func contents() async throws -> StoreContents {
        let routes = try await routes()
        if let (id, reason) = routes.unreadable.sorted(by: { $0.key < $1.key }).first {
            throw StoreError("route \(id) cannot be copied: \(reason)")
        }
        let models = try await runModels()
        var runs: [RunContents] = []
        for record in try await self.runs() {
            guard let model = models[record.id] else { throw StoreError("run \(record.id) has no model") }
            runs.append(RunContents(record: record, model: model,
                                    scores: try await scoreRecords(run: record.id).sorted { $0.score.movementID < $1.score.movementID },
                                    failures: try await failures(run: record.id)))
        }
        return StoreContents(model: try await model(), incidentRevision: try await incidentRevision(), zones: try await zones(),
                             incidents: try await incidents(), routes: routes.routes.values.sorted { $0.id < $1.id },
                             movements: try await movements(), runs: runs)
    }

    /// Refuses to load into a store that holds anything.
    public func requireEmpty() async throws {
        let counts = try await counts()
        guard counts == StoreCounts() else {
            throw StoreError("the destination is not empty (\(counts.zones) zones, \(counts.incidents) incidents, \(counts.routes) routes, "
                             + "\(counts.movements) movements, \(counts.runs) runs); copy into a new store")
        }
    }
}

import Foundation
import RiskBatch
import RiskCore

extension SQLiteStore: CopyableStore {
    public func runModels() throws -> [Int: String] {
        var models: [Int: String] = [:]
        for row in try database.query("SELECT id, model FROM runs") {
            let stored = StoredRow(row, table: "runs", key: ["id"], store: path)
            models[try stored.integer("id")] = try stored.text("model")
        }
        return models
    }

    public func load(_ contents: StoreContents) throws {
        try database.transaction {
            let counts = try counts()
            guard counts == StoreCounts() else {
                throw StoreError("the destination is not empty (\(counts.zones) zones, \(counts.incidents) incidents, "
                                 + "\(counts.routes) routes, \(counts.movements) movements, \(counts.runs) runs); copy into a new store")
            }
            try setModel(contents.model)
            try setSetting("incident_revision", String(contents.incidentRevision))
            try upsert(zones: contents.zones)
            let now = Date().timeIntervalSince1970
            for stored in contents.incidents {
                let i = stored.incident
                try database.run("""
                    INSERT INTO incidents (id, occurred_at, lon, lat, killed, injured, category, target, description, source,
                        added_at, created_revision, changed_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [i.id, i.time.timeIntervalSince1970, i.location.x, i.location.y, i.killed, i.injured, i.category, i.target,
                          i.description, i.source, now, stored.createdRevision, stored.changedRevision])
            }
            try upsert(routes: contents.routes)
            if let first = try upsert(movements: contents.movements).first {
                throw StoreError("movement \(first.id) cannot be copied: \(first.reason)")
            }
            for run in contents.runs {
                let record = run.record, counters = record.counters
                try database.run("""
                    INSERT INTO runs (id, started_at, finished_at, as_of, window, model, model_hash, zones_hash, incident_revision, mode,
                        status, selected, scored, failed, recomputed, reused, basis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [record.id, record.startedAt.timeIntervalSince1970, record.finishedAt?.timeIntervalSince1970,
                          record.asOf.timeIntervalSince1970, record.window.description, run.model, record.inputs.modelHash,
                          record.inputs.zonesHash, record.inputs.incidentRevision, record.mode.rawValue, record.status.rawValue,
                          counters.selected, counters.scored, counters.failed, counters.recomputed, counters.reused,
                          RunBasisJSON.column(record.basis)])
                for score in run.scores { try write(.scored(score), run: record.id) }
                for failure in run.failures { try write(.failed(failure), run: record.id) }
            }
        }
    }
}

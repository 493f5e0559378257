import Foundation
import PostgresNIO
import RiskBatch
import RiskCore
import RiskIO

extension PostgresStore: CopyableStore {
    public func runModels() async throws -> [Int: String] {
        var models: [Int: String] = [:]
        for found in try await rows("SELECT id, model FROM runs", "reading the runs' models") {
            let r = row(found, "runs")
            models[try r.integer("id")] = try r.text("model")
        }
        return models
    }

    public func load(_ contents: StoreContents) async throws {
        try await session.transaction("copying into the store") {
            try await requireEmpty()
            try await setModel(contents.model)
            try await setSetting("incident_revision", String(contents.incidentRevision))
            try await upsert(zones: contents.zones)
            try await insert(contents.incidents)
            try await upsert(routes: contents.routes)
            let refused = try await upsert(movements: contents.movements)
            if let first = refused.first { throw StoreError("movement \(first.id) cannot be copied: \(first.reason)") }
            for run in contents.runs {
                try await insert(run)
                try await write(run.scores, run.failures, run: run.record.id)
            }
            // New runs continue after the copied ones.
            try await rows("SELECT setval(pg_get_serial_sequence('runs', 'id'), GREATEST((SELECT max(id) FROM runs), 1), "
                           + "(SELECT count(*) > 0 FROM runs))", "copying into the store")
        }
    }

    /// Incidents with the revisions they already have.
    private func insert(_ incidents: [StoredIncident]) async throws {
        for start in stride(from: 0, to: incidents.count, by: Self.bulkRows) {
            let part = incidents[start..<min(start + Self.bulkRows, incidents.count)]
            var binds = ColumnBinds(incidents: part.map(\.incident))
            binds.add(part.map(\.createdRevision))          // $15
            binds.add(part.map(\.changedRevision))          // $16
            try await rows("""
                INSERT INTO incidents (id, occurred_at, location, killed, injured, category, target, description, source,
                    added_at, created_revision, changed_revision)
                SELECT id, to_timestamp(at), ST_SetSRID(ST_MakePoint(lon, lat), 4326), killed, injured,
                    CASE WHEN category_null THEN NULL ELSE category END, CASE WHEN target_null THEN NULL ELSE target END,
                    CASE WHEN description_null THEN NULL ELSE description END, CASE WHEN source_null THEN NULL ELSE source END,
                    now(), created, changed
                FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                            $7::text[], $8::bool[], $9::text[], $10::bool[], $11::text[], $12::bool[], $13::text[], $14::bool[],
                            $15::int8[], $16::int8[])
                    AS t(id, at, lon, lat, killed, injured, category, category_null, target, target_null,
                         description, description_null, source, source_null, created, changed)
                """, "copying incidents", binds.bindings)
        }
    }

    /// A run row as it is, id and counters included.
    private func insert(_ run: RunContents) async throws {
        let record = run.record
        var binds = PostgresBindings()
        binds.append(record.id)
        binds.append(record.startedAt.timeIntervalSince1970)
        binds.append(record.finishedAt?.timeIntervalSince1970)
        binds.append(record.asOf.timeIntervalSince1970)
        binds.append(record.window.description)
        binds.append(run.model)
        binds.append(record.inputs.modelHash)
        binds.append(record.inputs.zonesHash)
        binds.append(record.inputs.incidentRevision)
        binds.append(record.mode.rawValue)
        binds.append(record.status.rawValue)
        let counters = record.counters
        for value in [counters.selected, counters.scored, counters.failed, counters.recomputed, counters.reused] { binds.append(value) }
        binds.append(RunBasisJSON.column(record.basis))
        try await rows("""
            INSERT INTO runs (id, started_at, finished_at, as_of, "window", model, model_hash, zones_hash, incident_revision, mode,
                status, selected, scored, failed, recomputed, reused, basis)
            VALUES ($1, to_timestamp($2), to_timestamp($3), to_timestamp($4), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            """, "copying run \(record.id)", binds)
    }
}

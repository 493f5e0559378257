import Foundation
import PostgresNIO
import RiskBatch

extension PostgresStore: ChunkLeasingStore {
    public func planChunks(run: Int, movementIDs: [String], size: Int) async throws -> Bool {
        try await session.transaction("splitting the run into chunks") {
            var lock = PostgresBindings()
            lock.append(run)
            // Workers that open the run together: the first plans, the others find its chunks.
            guard try await !rows("SELECT id FROM runs WHERE id = $1 FOR UPDATE", "splitting the run into chunks", lock).isEmpty else {
                throw StoreError("no run \(run)")
            }
            if try await !rows("SELECT chunk FROM run_chunks WHERE run_id = $1 LIMIT 1", "splitting the run into chunks", lock).isEmpty {
                return false
            }
            var binds = PostgresBindings()
            binds.append(run)
            binds.append(movementIDs)
            binds.append(size)
            // Chunk g holds ids g*size+1 ... (g+1)*size (arrays count from 1).
            try await rows("""
                INSERT INTO run_chunks (run_id, chunk, movement_ids)
                SELECT $1, g, ($2::text[])[g * $3 + 1 : LEAST((g + 1) * $3, cardinality($2::text[]))]
                FROM generate_series(0, (cardinality($2::text[]) + $3 - 1) / $3 - 1) AS g
                """, "splitting the run into chunks", binds)
            return true
        }
    }

    public func leaseChunk(run: Int, worker: String, duration: TimeInterval) async throws -> ChunkLease? {
        var binds = PostgresBindings()
        binds.append(run)
        binds.append(worker)
        binds.append(duration)
        // SKIP LOCKED: workers asking at once get different chunks without waiting for each other.
        let found = try await rows("""
            UPDATE run_chunks SET leased_by = $2, leased_pid = pg_backend_pid(),
                leased_backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()),
                lease_expires = now() + make_interval(secs => $3), attempts = attempts + 1
            WHERE (run_id, chunk) IN (
                SELECT run_id, chunk FROM run_chunks c
                WHERE c.run_id = $1 AND c.status = 'pending'
                    AND (c.leased_pid IS NULL OR c.lease_expires < now() OR NOT EXISTS (
                        SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = c.leased_pid AND (a.backend_start IS NULL OR a.backend_start = c.leased_backend_start)))
                ORDER BY chunk LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING run_id, chunk, movement_ids, attempts
            """, "leasing a chunk", binds)
        guard let first = found.first else { return nil }
        let r = row(first, "run_chunks", key: ["run_id", "chunk"])
        let ids: [String]
        do {
            ids = try first.makeRandomAccess()["movement_ids"].decode([String].self)
        } catch {
            throw r.error("movement_ids", "not a list of movement ids")
        }
        return ChunkLease(run: run, chunk: try r.integer("chunk"), movementIDs: ids, attempt: try r.integer("attempts"), worker: worker)
    }

    public func completeChunk(_ lease: ChunkLease, outcomes: [MovementOutcome], at time: Date) async throws -> ChunkCompletion {
        try await session.transaction("completing a chunk") {
            var key = PostgresBindings()
            key.append(lease.run)
            key.append(lease.chunk)
            guard let chunk = try await rows("SELECT run_id, chunk, status FROM run_chunks WHERE run_id = $1 AND chunk = $2 FOR UPDATE",
                                             "completing a chunk", key).first else {
                throw StoreError("run \(lease.run) has no chunk \(lease.chunk)")
            }
            // Held past its lease and completed by another worker meanwhile: drop this copy.
            if try row(chunk, "run_chunks", key: ["run_id", "chunk"]).text("status") == "done" { return .alreadyDone }
            try await insert(outcomes, run: lease.run)
            var done = key
            done.append(lease.worker)
            try await rows("UPDATE run_chunks SET status = 'done', done_by = $3, done_at = now() WHERE run_id = $1 AND chunk = $2",
                           "completing a chunk", done)
            // `insert` locked the run's row, so completions take turns here and exactly one sees none left.
            guard try await chunksLeft(run: lease.run) == 0 else { return .recorded }
            return .finishedRun(try await complete(run: lease.run, at: time))
        }
    }

    public func chunksLeft(run: Int) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(run)
        let found = try await rows("SELECT $1::int8 AS run_id, count(*) AS n FROM run_chunks WHERE run_id = $1 AND status = 'pending'",
                                   "counting the chunks left", binds)
        return try row(found[0], "run_chunks", key: ["run_id"]).integer("n")
    }
}

import Foundation
import Geo
import RiskCore
import RiskIO

/// Re-scores the scheduled movements of a store and records one run.
///
/// Each movement is scored at its own departure time. When the previous completed run scored
/// the same movement at the same time over the same route, zones and model, its score is
/// carried forward: unchanged if no new incident can reach the route, or updated with just the
/// new incidents' contributions (`Scorer.update`). Everything else is scored from scratch.
/// Scores are committed in transactions of `transactionSize`, together with the run's counters,
/// so a crash at any moment leaves a consistent store; the next call resumes the interrupted run.
public final class BatchRunner {
    public let store: Store
    private var database: SQLiteDatabase { store.database }

    public init(store: Store) {
        self.store = store
    }

    /// What a movement's scoring came to.
    enum Outcome: Sendable {
        case scored(movement: Movement, routeHash: String, result: RouteResult, profile: HazardProfile?, how: String)
        case failed(movementID: String, reason: String)
    }

    struct PreviousScore: Sendable {
        var routeHash: String
        var result: RouteResult
        var profile: HazardProfile?
    }

    public func run(_ options: BatchOptions, asOfGiven: Bool = true,
                    progress: ((_ done: Int, _ total: Int) -> Void)? = nil) async throws -> BatchOutcome {
        let model = try options.model ?? store.model()
        let modelJSON = ModelReader.json(model).serialized()
        let modelHash = fingerprint(modelJSON)
        let zones = try store.zones()
        let zonesHash = fingerprint(zones.map { "\($0.id)|\($0.name)|\($0.kind)|\($0.base)|\($0.multiplier)|\(fingerprint($0.shape))" }
            .joined(separator: "\n"))
        let revision = try store.incidentRevision()

        // Resume an interrupted run made with the same inputs; abandon any other.
        var resumed = false
        var run: RunRecord
        if let interrupted = try runs(where: "status = 'running'").last,
           interrupted.modelHash == modelHash, interrupted.window == options.window.description,
           try database.scalar("SELECT zones_hash FROM runs WHERE id = ?", interrupted.id).string == zonesHash,
           try database.scalar("SELECT incident_revision FROM runs WHERE id = ?", interrupted.id).int == Int64(revision),
           !asOfGiven || interrupted.asOf == options.asOf,
           interrupted.mode == (options.full ? "full" : "incremental") {
            run = interrupted
            resumed = true
        } else {
            try database.run("UPDATE runs SET status = 'abandoned', finished_at = ? WHERE status = 'running'", Date().timeIntervalSince1970)
            try database.run("""
                INSERT INTO runs (started_at, as_of, window, model, model_hash, zones_hash, incident_revision, mode, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')
                """, Date().timeIntervalSince1970, options.asOf.timeIntervalSince1970, options.window.description, modelJSON,
                             modelHash, zonesHash, revision, options.full ? "full" : "incremental")
            run = try self.run(id: Int(database.lastInsertRowID))!
        }
        let asOf = run.asOf

        let movements = try selectMovements(asOf: asOf, window: options.window)
        try database.run("UPDATE runs SET selected = ? WHERE id = ?", movements.count, run.id)
        var done = Set<String>()
        try database.forEach("SELECT movement_id FROM scores WHERE run_id = ?1 UNION ALL SELECT movement_id FROM failures WHERE run_id = ?1",
                             [run.id]) { done.insert($0["movement_id"].string ?? "") }

        // What the previous completed run can lend.
        let previousRun = try runs(where: "status = 'completed' AND id < \(run.id)").last
        var previous: [String: PreviousScore] = [:]
        var newSince: Set<String> = []
        let incidents = try store.incidents()
        if let previousRun {
            let row = try database.query("SELECT zones_hash, incident_revision FROM runs WHERE id = ?", previousRun.id)[0]
            let watermark = row["incident_revision"].int ?? 0
            try database.forEach("SELECT id, created_revision FROM incidents WHERE created_revision > ?", [watermark]) {
                newSince.insert($0["id"].string ?? "")
            }
            let modified = try database.scalar(
                "SELECT COUNT(*) FROM incidents WHERE created_revision <= ?1 AND changed_revision > ?1", watermark).int ?? 0
            if !options.full, modified == 0, previousRun.modelHash == modelHash, row["zones_hash"].string == zonesHash {
                previous = try previousScores(run: previousRun.id)
            }
        }

        let data = try ScoringData(incidents: incidents, zones: zones, model: model)
        let (routes, broken) = try store.routes()
        let newIndexes = Set(incidents.indices.filter { newSince.contains(incidents[$0].id) })

        let pending = movements.filter { !done.contains($0.id) }
        let total = movements.count
        var finished = movements.count - pending.count
        progress?(finished, total)
        for chunk in stride(from: 0, to: pending.count, by: max(1, options.transactionSize)) {
            let slice = pending[chunk..<min(chunk + options.transactionSize, pending.count)]
            let outcomes = try await BatchRunner.score(Array(slice), jobs: options.jobs, data: data, routes: routes, broken: broken,
                                                       previous: previous, newIndexes: newIndexes)
            try write(outcomes, run: run.id)
            finished += slice.count
            progress?(finished, total)
        }

        try database.transaction {
            try database.run("UPDATE runs SET status = 'completed', finished_at = ? WHERE id = ?", Date().timeIntervalSince1970, run.id)
            // Only the latest completed run's profiles are ever read again.
            try database.run("UPDATE scores SET profile = NULL WHERE run_id <> ? AND profile IS NOT NULL", run.id)
        }
        run = try self.run(id: run.id)!
        return try outcome(run: run, previousRun: previousRun, newIncidents: newSince, resumed: resumed)
    }

    private func selectMovements(asOf: Date, window: BatchWindow) throws -> [Movement] {
        switch window {
        case .all:
            return try database.query("SELECT * FROM movements WHERE status = 'scheduled' ORDER BY departs_at, id").map(Store.movement)
        case .next(let seconds):
            return try database.query("""
                SELECT * FROM movements WHERE status = 'scheduled' AND departs_at >= ? AND departs_at < ? ORDER BY departs_at, id
                """, asOf.timeIntervalSince1970, asOf.timeIntervalSince1970 + seconds).map(Store.movement)
        }
    }

    /// Scores movements on `jobs` tasks, each with its own `Scorer`; outcomes in input order.
    private static func score(_ movements: [Movement], jobs: Int, data: ScoringData, routes: [String: Route],
                              broken: [String: String], previous: [String: PreviousScore],
                              newIndexes: Set<Int>) async throws -> [Outcome] {
        let share = max(1, (movements.count + max(1, jobs) - 1) / max(1, jobs))
        return try await withThrowingTaskGroup(of: (Int, [Outcome]).self) { group in
            for start in stride(from: 0, to: movements.count, by: share) {
                let part = Array(movements[start..<min(start + share, movements.count)])
                group.addTask {
                    let scorer = try Scorer(data)
                    return (start, part.map { movement in
                        score(movement, routes: routes, broken: broken, scorer: scorer, previous: previous[movement.id],
                              newIndexes: newIndexes)
                    })
                }
            }
            var parts: [(Int, [Outcome])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    private static func score(_ movement: Movement, routes: [String: Route], broken: [String: String], scorer: Scorer,
                              previous: PreviousScore?, newIndexes: Set<Int>) -> Outcome {
        if let reason = broken[movement.routeID] {
            return .failed(movementID: movement.id, reason: "route \(movement.routeID): \(reason)")
        }
        guard var route = routes[movement.routeID] else {
            return .failed(movementID: movement.id, reason: "route \(movement.routeID) is not in the store")
        }
        route.departsAt = movement.departsAt
        let routeHash = fingerprint(route.shape)
        do {
            if let previous, let profile = previous.profile, previous.routeHash == routeHash,
               previous.result.evaluatedAt == movement.departsAt {
                let reach = route.shape.envelope?.widened(byKm: scorer.data.model.cutoffKm)
                let reaching = newIndexes.filter { scorer.data.incidents[$0].time <= movement.departsAt }
                    .filter { reach?.contains(scorer.data.incidents[$0].location) ?? false }
                if reaching.isEmpty {
                    return .scored(movement: movement, routeHash: routeHash, result: previous.result, profile: profile, how: "reused")
                }
                let updated = try scorer.update(route, previous: previous.result, profile: profile, added: Set(reaching))
                return .scored(movement: movement, routeHash: routeHash, result: updated.result, profile: updated.profile, how: "updated")
            }
            let scored = try scorer.scoreWithProfile(route, asOf: movement.departsAt)
            return .scored(movement: movement, routeHash: routeHash, result: scored.result, profile: scored.profile, how: "full")
        } catch {
            return .failed(movementID: movement.id, reason: "\(error)")
        }
    }

    private func write(_ outcomes: [Outcome], run: Int) throws {
        try database.transaction {
            var scored = 0, failed = 0, recomputed = 0, reused = 0
            for outcome in outcomes {
                switch outcome {
                case .scored(let movement, let routeHash, let r, let profile, let how):
                    try database.run("""
                        INSERT INTO scores (run_id, movement_id, route_id, route_hash, evaluated_at, length_km, exposure,
                            base_exposure, incident_exposure, mean_hazard, peak_hazard, peak_at_km, peak_lon, peak_lat, score, band,
                            zones, top_incidents, how, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [run, movement.id, movement.routeID, routeHash, r.evaluatedAt.timeIntervalSince1970, r.lengthKm, r.exposure,
                              r.baseExposure, r.incidentExposure, r.meanHazard, r.peakHazard, r.peakAtKm, r.peakLocation.x,
                              r.peakLocation.y, r.score, r.band.rawValue, ScoreCodec.zones(r.zones), ScoreCodec.incidents(r.topIncidents), how,
                              profile.map { SQLValue.blob($0.bytes) } ?? .null])
                    scored += 1
                    if how == "reused" { reused += 1 } else { recomputed += 1 }
                case .failed(let movementID, let reason):
                    try database.run("INSERT INTO failures (run_id, movement_id, reason) VALUES (?, ?, ?)", run, movementID, reason)
                    failed += 1
                }
            }
            try database.run("""
                UPDATE runs SET scored = scored + ?, failed = failed + ?, recomputed = recomputed + ?, reused = reused + ? WHERE id = ?
                """, scored, failed, recomputed, reused, run)
        }
    }

    // MARK: Reading runs back

    public func runs(where condition: String = "1") throws -> [RunRecord] {
        try database.query("SELECT * FROM runs WHERE \(condition) ORDER BY id").map { row in
            RunRecord(id: Int(row["id"].int ?? 0), startedAt: Date(timeIntervalSince1970: row["started_at"].double ?? 0),
                      finishedAt: row["finished_at"].double.map(Date.init(timeIntervalSince1970:)),
                      asOf: Date(timeIntervalSince1970: row["as_of"].double ?? 0), window: row["window"].string ?? "",
                      modelHash: row["model_hash"].string ?? "", mode: row["mode"].string ?? "", status: row["status"].string ?? "",
                      selected: Int(row["selected"].int ?? 0), scored: Int(row["scored"].int ?? 0), failed: Int(row["failed"].int ?? 0),
                      recomputed: Int(row["recomputed"].int ?? 0), reused: Int(row["reused"].int ?? 0))
        }
    }

    public func run(id: Int) throws -> RunRecord? {
        try runs(where: "id = \(id)").first
    }

    /// The latest completed run, if any.
    public func latestRun() throws -> RunRecord? {
        try runs(where: "status = 'completed'").last
    }

    public func scores(run: Int) throws -> [MovementScore] {
        try database.query("SELECT * FROM scores WHERE run_id = ? ORDER BY exposure DESC, movement_id", run).map { row in
            MovementScore(movementID: row["movement_id"].string ?? "", routeID: row["route_id"].string ?? "", result: ScoreCodec.result(row))
        }
    }

    public func failures(run: Int) throws -> [(movementID: String, reason: String)] {
        try database.query("SELECT movement_id, reason FROM failures WHERE run_id = ? ORDER BY movement_id", run).map {
            ($0["movement_id"].string ?? "", $0["reason"].string ?? "")
        }
    }

    private func previousScores(run: Int) throws -> [String: PreviousScore] {
        var scores: [String: PreviousScore] = [:]
        try database.forEach("SELECT * FROM scores WHERE run_id = ?", [run]) { row in
            scores[row["movement_id"].string ?? ""] = PreviousScore(routeHash: row["route_hash"].string ?? "", result: ScoreCodec.result(row),
                                                                    profile: row["profile"].bytes.flatMap(HazardProfile.init(bytes:)))
        }
        return scores
    }

    /// The run's summary, read with SQL so that only the rows it shows are decoded.
    private func outcome(run: RunRecord, previousRun: RunRecord?, newIncidents: Set<String>, resumed: Bool) throws -> BatchOutcome {
        var bands: [Band: Int] = Dictionary(uniqueKeysWithValues: Band.allCases.map { ($0, 0) })
        try database.forEach("SELECT band, COUNT(*) AS n FROM scores WHERE run_id = ? GROUP BY band", [run.id]) { row in
            if let band = Band(rawValue: row["band"].string ?? "") { bands[band] = Int(row["n"].int ?? 0) }
        }
        var escalations: [Escalation] = []
        if let previousRun {
            let rank = Band.allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ")
            try database.forEach("""
                SELECT new.*, old.band AS old_band, old.score AS old_score FROM scores AS new
                JOIN scores AS old ON old.movement_id = new.movement_id AND old.run_id = ?
                WHERE new.run_id = ? AND (CASE new.band \(rank) END) > (CASE old.band \(rank) END)
                """, [previousRun.id, run.id]) { row in
                let result = ScoreCodec.result(row)
                let driver = result.topIncidents.first { newIncidents.contains($0.id) }
                escalations.append(Escalation(movementID: row["movement_id"].string ?? "",
                                              oldBand: Band(rawValue: row["old_band"].string ?? "") ?? .low, newBand: result.band,
                                              oldScore: row["old_score"].double ?? 0, newScore: result.score,
                                              driver: driver.map { ($0.id, $0.closestKm) }))
            }
            escalations.sort { ($0.newScore - $0.oldScore, $1.movementID) > ($1.newScore - $1.oldScore, $0.movementID) }
        }
        let riskiest = try database.query("SELECT * FROM scores WHERE run_id = ? ORDER BY exposure DESC, movement_id LIMIT 10", run.id)
            .map { MovementScore(movementID: $0["movement_id"].string ?? "", routeID: $0["route_id"].string ?? "", result: ScoreCodec.result($0)) }
        return BatchOutcome(run: run, bands: bands, escalations: escalations, riskiest: riskiest,
                            failed: try failures(run: run.id), resumed: resumed)
    }
}

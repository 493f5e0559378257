import CSQLite
import Foundation
import Geo
import RiskBatch
import RiskCore
import RiskIO

/// The embedded store: an SQLite file in WAL mode with foreign keys on, holding zones,
/// incidents, routes, movements, runs and scores, behind `BatchStore`. Its connection is its
/// own; like it, a store belongs to one task at a time (not `Sendable`), and SQLite serialises
/// writers across processes. Every method runs in one transaction (writes take the write lock
/// up front), so a crash leaves each whole or absent.
public final class SQLiteStore: BatchStore {
    /// Internal to the module (the copy reads and writes through it), never public.
    let database: SQLiteDatabase
    public var path: String { database.path }
    /// Held from `openRun` to `finishRun`: one batch at a time on a store.
    private var batchLock: BatchLock?

    /// Whether the store was opened read-only (`init(path:readOnly:)`).
    public var isReadOnly: Bool { database.readOnly }

    /// Opens (and with `create`, creates) the store at `path`, running any pending migrations.
    /// With `readOnly` (for commands that only read: a user may read a store they cannot write),
    /// SQLite opens the file read-only and nothing is written: no journal mode is set and no
    /// migration runs, so a schema older than this binary is an error that says so.
    public init(path: String, create: Bool = false, readOnly: Bool = false) throws {
        precondition(!(create && readOnly), "a store cannot be created read-only")
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError("no store at \(path); create one with `routerisk store init --store \(path)`")
        }
        // Only `store init` writes a schema: any other command given an empty or foreign file
        // (a typo'd path, say) would otherwise turn it into a store.
        if !create, let handle = FileHandle(forReadingAtPath: path) {
            let header = (try? handle.read(upToCount: 16)) ?? nil
            try? handle.close()
            guard header == Data("SQLite format 3\0".utf8) else {
                throw StoreError("\(path) is not a routerisk store (not an SQLite file); create one with `routerisk store init`")
            }
        }
        database = try readOnly ? Self.openReadOnly(path) : SQLiteDatabase(path: path, create: create)
        if readOnly {
            try checkVersion(migrating: false)
            return
        }
        try database.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        try migrate()
    }

    /// SQLite reads a store in WAL mode through its -wal and -shm companions, and creates them
    /// when they are missing; in a folder the user may not write it cannot, and every read fails.
    /// Then, and only when no -wal file exists (no writer holds anything the file does not), the
    /// file is read as immutable: without locks or companions. A writer that starts during such a
    /// read could checkpoint under it; the reads of `status` and `scores` are short, and what they
    /// read is decoded with checks.
    private static func openReadOnly(_ path: String) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path, create: false, readOnly: true)
        do {
            _ = try database.scalar("PRAGMA user_version")
            return database
        } catch let error as SQLiteError where [SQLITE_READONLY, SQLITE_CANTOPEN].contains(error.code & 0xFF)
            && !FileManager.default.fileExists(atPath: path + "-wal") {
            return try SQLiteDatabase(path: path, create: false, readOnly: true, immutable: true)
        }
    }

    public static var schemaVersion: Int { Schema.migrations.count }

    /// The schema version of the file (`PRAGMA user_version`).
    public func version() throws -> Int {
        try integer("PRAGMA user_version")
    }

    /// The file's schema version, refused when no routerisk wrote it, when it is newer than this
    /// binary, or (when not `migrating`, for a read-only open) when it is older.
    @discardableResult
    private func checkVersion(migrating: Bool) throws -> Int {
        let current = try version()
        guard current >= 0 else {
            throw StoreError("\(path) has schema version \(current) (PRAGMA user_version), which no routerisk writes; "
                + "the file is not a routerisk store or is damaged")
        }
        guard current <= Schema.migrations.count else {
            throw StoreError("\(path) has schema version \(current), newer than this routerisk (\(Schema.migrations.count))")
        }
        guard migrating || current > 0 else {
            throw StoreError("\(path) is an SQLite file without a routerisk schema (version 0), not a routerisk store; "
                + "create one with `routerisk store init`")
        }
        guard migrating || current == Schema.migrations.count else {
            throw StoreError("\(path) has schema version \(current), older than this routerisk (\(Schema.migrations.count)); "
                + "it was opened read-only and is not migrated: run a command that writes to it (`routerisk store import` or "
                + "`routerisk batch`) as a user who may write it, which migrates it")
        }
        return current
    }

    private func migrate() throws {
        let current = try checkVersion(migrating: true)
        for (index, migration) in Schema.migrations.enumerated().dropFirst(current) {
            try database.transaction {
                try database.execute(migration)
                try database.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    /// The one integer a query returns (a count, a pragma).
    private func integer(_ sql: String, _ values: SQLConvertible...) throws -> Int {
        let value = try database.scalar(sql, values)
        guard let integer = value.int else { throw StoreError("\(path): \(sql) returned \(value), not an integer") }
        return Int(integer)
    }

    private func rows(_ table: String, key: [String], _ sql: String, _ values: [SQLConvertible] = [],
                      _ body: (StoredRow) throws -> Void) throws {
        try database.forEach(sql, values) { try body(StoredRow($0, table: table, key: key, store: path)) }
    }

    private func decodeAll<T>(_ table: String, key: [String] = ["id"], _ sql: String, _ values: [SQLConvertible] = [],
                              _ decode: (StoredRow) throws -> T) throws -> [T] {
        var decoded: [T] = []
        try rows(table, key: key, sql, values) { decoded.append(try decode($0)) }
        return decoded
    }

    // MARK: Settings

    /// A setting's row, when it is set.
    private func setting(_ key: String) throws -> StoredRow? {
        try decodeAll("meta", key: ["key"], "SELECT key, value FROM meta WHERE key = ?", [key]) { $0 }.first
    }

    func setSetting(_ key: String, _ value: String) throws {
        try database.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
    }

    /// Bumped by every import that adds or changes incidents; 0 before the first.
    public func incidentRevision() throws -> Int {
        guard let row = try setting("incident_revision") else { return 0 }
        let text = try row.text("value")
        guard let revision = Int(text), revision >= 0 else { throw row.error("value", "\"\(text)\" is not a revision number") }
        return revision
    }

    public func model() throws -> Model {
        guard let row = try setting("model") else { return Model() }
        let text = try row.text("value")
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            throw row.error("value", "the model is not JSON: \(error)")
        }
        return try ModelReader.parse(json, file: "\(path) (stored model)")
    }

    public func setModel(_ model: Model) throws {
        try setSetting("model", ModelReader.json(model).serialized())
    }

    // MARK: Imports (add or update by id)

    public func upsert(zones: [Zone]) throws {
        let now = Date().timeIntervalSince1970
        try database.transaction {
            for zone in zones {
                try database.run("""
                    INSERT INTO zones (id, name, kind, base, multiplier, geometry, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, base = excluded.base,
                        multiplier = excluded.multiplier, geometry = excluded.geometry, updated_at = excluded.updated_at
                    """, Identifier.normalized(zone.id), zone.name, zone.kind, zone.base, zone.multiplier, GeoJSON.serialize(zone.shape), now)
            }
        }
    }

    @discardableResult
    public func upsert(incidents: [Incident]) throws -> IncidentImport {
        let addedAt = Date().timeIntervalSince1970
        return try database.transaction {
            let revision = try incidentRevision() + 1
            var counts = IncidentImport(added: 0, changed: 0)
            for var i in incidents {
                i.id = Identifier.normalized(i.id)
                if let existing = try decodeAll("incidents", "SELECT * FROM incidents WHERE id = ?", [i.id], Self.incident).first {
                    let changed = !existing.incident.scoresLike(i)
                    try database.run("""
                        UPDATE incidents SET occurred_at = ?2, lon = ?3, lat = ?4, killed = ?5, injured = ?6, category = ?7,
                            target = ?8, description = ?9, source = ?10, changed_revision = ?11
                        WHERE id = ?1
                        """, [i.id, i.time.timeIntervalSince1970, i.location.x, i.location.y, i.killed, i.injured, i.category,
                              i.target, i.description, i.source, changed ? revision : existing.changedRevision])
                    if changed { counts.changed += 1 }
                } else {
                    try database.run("""
                        INSERT INTO incidents (id, occurred_at, lon, lat, killed, injured, category, target, description, source,
                            added_at, created_revision, changed_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [i.id, i.time.timeIntervalSince1970, i.location.x, i.location.y, i.killed, i.injured, i.category,
                              i.target, i.description, i.source, addedAt, revision, revision])
                    counts.added += 1
                }
            }
            if counts.added + counts.changed > 0 { try setSetting("incident_revision", String(revision)) }
            return counts
        }
    }

    public func upsert(routes: [Route]) throws {
        let now = Date().timeIntervalSince1970
        try database.transaction {
            for var route in routes {
                route.id = Identifier.normalized(route.id)
                try database.run("""
                    INSERT INTO routes (id, name, geometry, lines, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, geometry = excluded.geometry, lines = excluded.lines,
                        updated_at = excluded.updated_at
                    """, route.id, route.name, GeoJSON.serialize(route.shape), LineCodec.encode(route.shape).map(SQLValue.blob), now)
            }
        }
    }

    @discardableResult
    public func upsert(movements: [Movement]) throws -> [RefusedMovement] {
        let now = Date().timeIntervalSince1970
        return try database.transaction {
            var refused: [RefusedMovement] = []
            for var movement in movements {
                movement.id = Identifier.normalized(movement.id)
                movement.routeID = Identifier.normalized(movement.routeID)
                guard try database.scalar("SELECT 1 FROM routes WHERE id = ?", movement.routeID) != .null else {
                    refused.append(RefusedMovement(id: movement.id, reason: "route \"\(movement.routeID)\" is not in the store"))
                    continue
                }
                try database.run("""
                    INSERT INTO movements (id, route_id, departs_at, status, labels, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET route_id = excluded.route_id, departs_at = excluded.departs_at,
                        status = excluded.status, labels = excluded.labels, updated_at = excluded.updated_at
                    """, movement.id, movement.routeID, movement.departsAt.timeIntervalSince1970, movement.status.rawValue,
                                 movement.labels, now)
            }
            return refused
        }
    }

    // MARK: Inputs

    public func zones() throws -> [Zone] {
        try decodeAll("zones", "SELECT * FROM zones ORDER BY id") { row in
            let shape: Shape
            do {
                shape = try GeoJSON.parseGeometry(try row.text("geometry"))
            } catch let error as StoredValueError {
                throw error
            } catch {
                throw row.error("geometry", "does not parse: \(error)")
            }
            return Zone(id: try row.id("id"), name: try row.text("name"), kind: try row.text("kind"),
                        base: try row.real("base", within: Limits.zoneBase),
                        multiplier: try row.real("multiplier", within: Limits.zoneMultiplier, positive: true), shape: shape)
        }
    }

    public func incidents() throws -> [StoredIncident] {
        try decodeAll("incidents", "SELECT * FROM incidents ORDER BY occurred_at, id", [], Self.incident)
    }

    private static func incident(_ row: StoredRow) throws -> StoredIncident {
        let incident = Incident(id: try row.id("id"), location: Coordinate(try row.real("lon", within: -180...180),
                                                                            try row.real("lat", within: -90...90)),
                                time: try row.date("occurred_at"), killed: try row.real("killed", within: Limits.casualties),
                                injured: try row.real("injured", within: Limits.casualties),
                                category: try row.optionalText("category"), target: try row.optionalText("target"),
                                description: try row.optionalText("description"), source: try row.optionalText("source"))
        return StoredIncident(incident: incident, createdRevision: try row.integer("created_revision"),
                              changedRevision: try row.integer("changed_revision"))
    }

    /// A route whose geometry cannot be read (neither the binary lines nor, without them, the
    /// GeoJSON) is unreadable, so only its movements fail; any other bad column is an error.
    public func routes() throws -> StoredRoutes {
        var stored = StoredRoutes()
        try rows("routes", key: ["id"], "SELECT id, name, geometry, lines FROM routes") { row in
            let id = try row.id("id")
            let name = try row.optionalText("name")
            do {
                stored.routes[id] = Route(id: id, name: name, shape: try Self.shape(row))
            } catch let error as StoredValueError {
                stored.unreadable[id] = error.description
            }
        }
        return stored
    }

    /// The binary lines when present (read far faster), else the GeoJSON.
    private static func shape(_ row: StoredRow) throws -> Shape {
        if let bytes = try row.optionalBlob("lines") {
            guard let shape = LineCodec.decode(bytes) else { throw row.error("lines", "not a valid binary encoding of lines") }
            return shape
        }
        let text = try row.text("geometry")
        do {
            return try GeoJSON.parseGeometry(text)
        } catch {
            throw row.error("geometry", "does not parse: \(error)")
        }
    }

    public func movements() throws -> [Movement] {
        try decodeAll("movements", "SELECT * FROM movements ORDER BY departs_at, id", [], Self.movement)
    }

    public func scheduledMovements(in window: BatchWindow, from asOf: Date) throws -> [Movement] {
        guard let departures = window.departures(from: asOf) else {
            return try decodeAll("movements", "SELECT * FROM movements WHERE status = 'scheduled' ORDER BY departs_at, id", [],
                                 Self.movement)
        }
        return try decodeAll("movements", """
            SELECT * FROM movements WHERE status = 'scheduled' AND departs_at >= ? AND departs_at < ? ORDER BY departs_at, id
            """, [departures.lowerBound, departures.upperBound], Self.movement)
    }

    private static func movement(_ row: StoredRow) throws -> Movement {
        Movement(id: try row.id("id"), routeID: try row.id("route_id"), departsAt: try row.date("departs_at"),
                 status: try row.choice("status", as: Movement.Status.self), labels: try row.text("labels"))
    }

    public func counts() throws -> StoreCounts {
        StoreCounts(zones: try integer("SELECT COUNT(*) FROM zones"), incidents: try integer("SELECT COUNT(*) FROM incidents"),
                    routes: try integer("SELECT COUNT(*) FROM routes"), movements: try integer("SELECT COUNT(*) FROM movements"),
                    scheduled: try integer("SELECT COUNT(*) FROM movements WHERE status = 'scheduled'"),
                    runs: try integer("SELECT COUNT(*) FROM runs"))
    }

    // MARK: Runs

    public func openRun(_ request: RunRequest) throws -> OpenedRun {
        if batchLock == nil { batchLock = try BatchLock(store: path) }
        try checkIntegrity()
        return try database.transaction {
            if let running = try runs(.running).last, request.resumes(running) {
                return OpenedRun(run: running, resumed: true)
            }
            try database.run("UPDATE runs SET status = 'abandoned', finished_at = ? WHERE status = 'running'",
                             request.startedAt.timeIntervalSince1970)
            try database.run("""
                INSERT INTO runs (started_at, as_of, window, model, model_hash, zones_hash, incident_revision, mode, status, basis)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)
                """, request.startedAt.timeIntervalSince1970, request.asOf.timeIntervalSince1970, request.window.description,
                             ModelReader.json(request.model).serialized(), request.inputs.modelHash, request.inputs.zonesHash,
                             request.inputs.incidentRevision, request.mode.rawValue, RunBasisJSON.column(request.basis))
            return OpenedRun(run: try existingRun(Int(database.lastInsertRowID)), resumed: false)
        }
    }

    public func setSelected(_ count: Int, run: Int) throws {
        guard try database.run("UPDATE runs SET selected = ? WHERE id = ?", count, run) == 1 else { throw StoreError("no run \(run)") }
    }

    public func movementsDone(run: Int) throws -> Set<String> {
        var done = Set<String>()
        for table in ["scores", "failures"] {
            try rows(table, key: ["run_id", "movement_id"], "SELECT run_id, movement_id FROM \(table) WHERE run_id = ?", [run]) {
                done.insert(try $0.id("movement_id"))
            }
        }
        return done
    }

    public func record(_ outcomes: [MovementOutcome], run: Int) throws {
        try database.transaction {
            let status = try existingRun(run).status
            guard status == .running else { throw StoreError("run \(run) is \(status.rawValue); only a running run takes outcomes") }
            for outcome in outcomes {
                let movementID = Identifier.normalized(outcome.movementID)
                // The primary keys keep one score and one failure per movement; this keeps one of either.
                let earlier = try integer("""
                    SELECT (SELECT COUNT(*) FROM scores WHERE run_id = ?1 AND movement_id = ?2)
                        + (SELECT COUNT(*) FROM failures WHERE run_id = ?1 AND movement_id = ?2)
                    """, run, movementID)
                guard earlier == 0 else { throw StoreError("movement \(movementID) already has an outcome in run \(run)") }
                try write(outcome, run: run)
            }
            let tally = RunCounters(tallying: outcomes)
            try database.run("""
                UPDATE runs SET scored = scored + ?, failed = failed + ?, recomputed = recomputed + ?, reused = reused + ? WHERE id = ?
                """, tally.scored, tally.failed, tally.recomputed, tally.reused, run)
        }
    }

    /// Writes one outcome row of a run, without checks or counters.
    func write(_ outcome: MovementOutcome, run: Int) throws {
        switch outcome {
        case .scored(let record):
            let r = record.score.result
            try database.run("""
                INSERT INTO scores (run_id, movement_id, route_id, route_hash, evaluated_at, length_km, exposure,
                    base_exposure, incident_exposure, mean_hazard, peak_hazard, peak_at_km, peak_lon, peak_lat, score, band,
                    zones, top_incidents, how, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [run, Identifier.normalized(record.score.movementID), Identifier.normalized(record.score.routeID), record.routeHash, r.evaluatedAt.timeIntervalSince1970,
                      r.lengthKm, r.exposure, r.baseExposure, r.incidentExposure, r.meanHazard, r.peakHazard, r.peakAtKm,
                      r.peakLocation.x, r.peakLocation.y, r.score, r.band.rawValue, ResultJSON.encode(r.zones),
                      ResultJSON.encode(r.topIncidents), record.method.rawValue, record.profile.map { SQLValue.blob($0.bytes) }])
        case .failed(let failure):
            try database.run("INSERT INTO failures (run_id, movement_id, reason) VALUES (?, ?, ?)", run, Identifier.normalized(failure.movementID),
                             failure.reason)
        }
    }

    public func finishRun(_ run: Int, at time: Date) throws -> RunRecord {
        try database.transaction {
            let status = try existingRun(run).status
            guard status == .running else { throw StoreError("run \(run) is \(status.rawValue); only a running run can be finished") }
            try database.run("UPDATE runs SET status = 'completed', finished_at = ? WHERE id = ?", time.timeIntervalSince1970, run)
            // Only the latest completed run's profiles are ever read again.
            try database.run("UPDATE scores SET profile = NULL WHERE run_id <> ? AND profile IS NOT NULL", run)
            let finished = try existingRun(run)
            batchLock = nil
            return finished
        }
    }

    /// A damaged file is refused before a run starts: scores written into it could not be
    /// trusted, and its broken pages may read back as anything.
    public func checkIntegrity() throws {
        var problems: [String] = []
        try database.forEach("PRAGMA quick_check(5)") { row in
            if let text = row.columns.values.first?.string, text != "ok" { problems.append(text) }
        }
        guard problems.isEmpty else {
            throw StoreError("\(path) is damaged (SQLite quick_check: \(problems.joined(separator: "; "))); "
                + "restore it from a backup or re-create it with `routerisk store init`")
        }
    }

    public func runs() throws -> [RunRecord] {
        try runs(.all)
    }

    public func run(id: Int) throws -> RunRecord? {
        try runs(.id(id)).first
    }

    public func latestCompletedRun() throws -> RunRecord? {
        try runs(.latestCompleted).first
    }

    private func existingRun(_ id: Int) throws -> RunRecord {
        guard let run = try run(id: id) else { throw StoreError("no run \(id)") }
        return run
    }

    private enum RunSelection {
        case all, running, latestCompleted
        case id(Int)

        var query: (sql: String, values: [SQLConvertible]) {
            switch self {
            case .all: ("SELECT * FROM runs ORDER BY id", [])
            case .running: ("SELECT * FROM runs WHERE status = 'running' ORDER BY id", [])
            case .latestCompleted: ("SELECT * FROM runs WHERE status = 'completed' ORDER BY id DESC LIMIT 1", [])
            case .id(let id): ("SELECT * FROM runs WHERE id = ?", [id])
            }
        }
    }

    /// Runs by id.
    private func runs(_ selection: RunSelection) throws -> [RunRecord] {
        let (sql, values) = selection.query
        return try decodeAll("runs", sql, values) { row in
            let text = try row.text("window")
            guard let window = BatchWindow(text) else { throw row.error("window", "\"\(text)\" is not a window") }
            return RunRecord(
                id: try row.integer("id"), startedAt: try row.date("started_at"), finishedAt: try row.optionalDate("finished_at"),
                asOf: try row.date("as_of"), window: window, mode: try row.choice("mode", as: RunMode.self),
                status: try row.choice("status", as: RunStatus.self),
                inputs: RunInputs(modelHash: try row.text("model_hash"), zonesHash: try row.text("zones_hash"),
                                  incidentRevision: try row.integer("incident_revision")),
                counters: RunCounters(selected: try row.integer("selected"), scored: try row.integer("scored"),
                                      failed: try row.integer("failed"), recomputed: try row.integer("recomputed"),
                                      reused: try row.integer("reused")),
                basis: try Self.basis(row))
        }
    }

    /// A run's basis: nil when the run was recorded before runs kept one, else decoded with checks.
    private static func basis(_ row: StoredRow) throws -> RunBasis? {
        let text = try row.text("basis")
        do {
            return try RunBasisJSON.fromColumn(text)
        } catch let invalid as ResultJSON.Invalid {
            throw row.error("basis", invalid.reason)
        }
    }

    // MARK: Results

    public func scoreRecords(run: Int) throws -> [ScoreRecord] {
        try decodeAll("scores", key: ScoreCodec.key, "SELECT * FROM scores WHERE run_id = ?", [run]) { row in
            var profile: HazardProfile?
            if let bytes = try row.optionalBlob("profile") {
                guard let decoded = HazardProfile(bytes: bytes) else { throw row.error("profile", "not a hazard profile") }
                profile = decoded
            }
            return ScoreRecord(score: try ScoreCodec.score(row), routeHash: try row.text("route_hash"),
                               method: try row.choice("how", as: ScoringMethod.self), profile: profile)
        }
    }

    public func scores(run: Int, limit: Int?) throws -> [MovementScore] {
        // A negative limit is none.
        // Scores are stored without names (names live with routes): the route's current name is
        // joined in, so outputs name what planners recognise.
        try decodeAll("scores", key: ScoreCodec.key, """
            SELECT \(ScoreCodec.columns.joined(separator: ", ")),
                   (SELECT name FROM routes WHERE routes.id = scores.route_id) AS route_name,
                   (SELECT labels FROM movements WHERE movements.id = scores.movement_id) AS movement_labels
            FROM scores WHERE run_id = ? ORDER BY exposure DESC, movement_id LIMIT ?
            """, [run, limit.map { max(0, $0) } ?? -1]) { row in
            var score = try ScoreCodec.score(row)
            score.result.name = try row.optionalText("route_name")
            // NULL only when the store no longer holds the movement (the column is NOT NULL).
            score.labels = try row.optionalText("movement_labels")
            return score
        }
    }

    public func bandCounts(run: Int) throws -> [Band: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Band.allCases.map { ($0, 0) })
        try rows("scores", key: ["run_id", "band"], "SELECT run_id, band, COUNT(*) AS n FROM scores WHERE run_id = ? GROUP BY band", [run]) {
            counts[try $0.choice("band", as: Band.self)] = try $0.integer("n")
        }
        return counts
    }

    /// Rows whose band differs are decoded (few: most bands stay), and the rises kept.
    public func bandRises(run: Int, since previous: Int) throws -> [BandRise] {
        try decodeAll("scores", key: ScoreCodec.key, """
            SELECT \(ScoreCodec.columns.map { "new.\($0)" }.joined(separator: ", ")), old.band AS previous_band,
                old.score AS previous_score
            FROM scores AS new JOIN scores AS old ON old.movement_id = new.movement_id AND old.run_id = ?
            WHERE new.run_id = ? AND new.band <> old.band
            """, [previous, run]) { row in
            BandRise(current: try ScoreCodec.score(row), previousBand: try row.choice("previous_band", as: Band.self),
                     previousScore: try row.real("previous_score"))
        }.filter { $0.current.result.band > $0.previousBand }
    }

    public func failures(run: Int) throws -> [MovementFailure] {
        try decodeAll("failures", key: ["run_id", "movement_id"], "SELECT * FROM failures WHERE run_id = ? ORDER BY movement_id", [run]) {
            MovementFailure(movementID: try $0.text("movement_id"), reason: try $0.text("reason"))
        }
    }
}

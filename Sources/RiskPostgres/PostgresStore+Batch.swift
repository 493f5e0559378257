import Foundation
import Geo
import PostgresNIO
import RiskBatch
import RiskCore
import RiskIO

/// SQL fragments shared by the store's statements.
enum SQL {
    /// A time column as seconds since 1970: `extract` gives the exact microseconds as a numeric,
    /// and its conversion to float8 is the nearest double, the value the time was written from.
    static func epoch(_ column: String, as name: String? = nil) -> String {
        "extract(epoch FROM \(column))::float8 AS \(name ?? column.split(separator: ".").last.map(String.init) ?? column)"
    }

    /// Text ordered by code point, as Swift's `<` and the other stores order ids, whatever the
    /// database's collation.
    static func byCodePoint(_ column: String) -> String { "\(column) COLLATE \"C\"" }

    static let runColumns = """
        id, \(epoch("started_at")), \(epoch("finished_at")), \(epoch("as_of")), "window", mode, status, model_hash, zones_hash,
        incident_revision, selected, scored, failed, recomputed, reused, basis
        """

    /// A score's columns, of the table aliased `table` when given.
    static func scoreColumns(of table: String? = nil) -> String {
        let p = table.map { $0 + "." } ?? ""
        return ["run_id", "movement_id", "route_id", "route_hash", epoch(p + "evaluated_at"), "length_km", "exposure", "base_exposure",
                "incident_exposure", "mean_hazard", "peak_hazard", "peak_at_km", "peak_lon", "peak_lat", "score", "band", "zones",
                "top_incidents", "how"].map { $0.hasPrefix("extract") ? $0 : p + $0 }.joined(separator: ", ")
    }
}

/// Binds for `unnest`: one array per column. postgres-nio arrays cannot hold NULLs, so an
/// optional column travels as its values and a parallel array of NULL flags.
struct ColumnBinds {
    var bindings = PostgresBindings()
    private(set) var count = 0

    mutating func add<T: PostgresArrayEncodable & PostgresNonThrowingEncodable>(_ values: [T]) {
        bindings.append(values)
        count += 1
    }

    mutating func add(optional values: [String?]) {
        add(values.map { $0 ?? "" })
        add(values.map { $0 == nil })
    }

    mutating func add(optional values: [[UInt8]?]) {
        add(values.map { ByteBuffer(bytes: $0 ?? []) })
        add(values.map { $0 == nil })
    }

    init() {}

    /// Incidents' columns as $1 to $14 (id, time, lon, lat, killed, injured, then category,
    /// target, description and source each as a value and a NULL flag); callers add the revisions.
    init(incidents: [Incident]) {
        add(incidents.map(\.id))
        add(incidents.map(\.time.timeIntervalSince1970))
        add(incidents.map(\.location.x))
        add(incidents.map(\.location.y))
        add(incidents.map(\.killed))
        add(incidents.map(\.injured))
        add(optional: incidents.map(\.category))
        add(optional: incidents.map(\.target))
        add(optional: incidents.map(\.description))
        add(optional: incidents.map(\.source))
    }
}

extension PostgresStore {
    private var server: String { location }

    func rows(_ sql: String, _ operation: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> [PostgresRow] {
        try await session.query(PostgresQuery(unsafeSQL: sql, binds: binds), operation)
    }

    func row(_ row: PostgresRow, _ table: String, key: [String] = ["id"]) -> StoredRow {
        StoredRow(row, table: table, key: key, store: server)
    }

    // MARK: Settings

    func setting(_ key: String) async throws -> String? {
        var binds = PostgresBindings()
        binds.append(key)
        guard let found = try await rows("SELECT key AS id, value FROM meta WHERE key = $1", "reading the setting \(key)", binds).first else {
            return nil
        }
        return try row(found, "meta").text("value")
    }

    func setSetting(_ key: String, _ value: String) async throws {
        var binds = PostgresBindings()
        binds.append(key)
        binds.append(value)
        try await rows("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       "saving the setting \(key)", binds)
    }
}

extension PostgresStore: BatchStore {
    // MARK: Model

    public func model() async throws -> Model {
        guard let text = try await setting("model") else { return Model() }
        return try ModelReader.parse(try JSONValue.parse(text), file: "\(location) (stored model)")
    }

    public func setModel(_ model: Model) async throws {
        try await setSetting("model", ModelReader.json(model).serialized())
    }

    // MARK: Imports

    /// The last of each id, as importing one after another would leave them, with every id in
    /// `id` and `also` (a movement's route) in its one stored form (`Identifier`).
    func lastOfEach<T>(_ items: [T], id: WritableKeyPath<T, String>, also: WritableKeyPath<T, String>? = nil) -> [T] {
        var index: [String: Int] = [:]
        var kept: [T] = []
        for var item in items {
            item[keyPath: id] = Identifier.normalized(item[keyPath: id])
            if let also { item[keyPath: also] = Identifier.normalized(item[keyPath: also]) }
            if let at = index[item[keyPath: id]] { kept[at] = item } else {
                index[item[keyPath: id]] = kept.count
                kept.append(item)
            }
        }
        return kept
    }

    /// Rows per statement in bulk writes: large enough to save round trips, small enough to keep
    /// each statement's parameters modest.
    static let bulkRows = 2_000

    public func upsert(zones: [Zone]) async throws {
        let zones = lastOfEach(zones, id: \.id)
        for zone in zones where zone.shape.polygons == nil {
            throw StoreError("zone \(zone.id): a zone must be a Polygon or MultiPolygon, not a \(zone.shape.typeName)")
        }
        try await session.transaction("importing zones") {
            for start in stride(from: 0, to: zones.count, by: Self.bulkRows) {
                let part = zones[start..<min(start + Self.bulkRows, zones.count)]
                var binds = ColumnBinds()
                binds.add(part.map(\.id))
                binds.add(part.map(\.name))
                binds.add(part.map(\.kind))
                binds.add(part.map(\.base))
                binds.add(part.map(\.multiplier))
                binds.add(part.map { ByteBuffer(bytes: $0.shape.wkb) })
                binds.add(part.map(\.shape.typeName))
                try await rows("""
                    INSERT INTO zones (id, name, kind, base, multiplier, geometry, given_as, updated_at)
                    SELECT id, name, kind, base, multiplier, ST_Multi(ST_GeomFromWKB(wkb, 4326)), given_as, now()
                    FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::bytea[], $7::text[])
                        AS t(id, name, kind, base, multiplier, wkb, given_as)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, base = excluded.base,
                        multiplier = excluded.multiplier, geometry = excluded.geometry, given_as = excluded.given_as,
                        updated_at = excluded.updated_at
                    """, "importing zones", binds.bindings)
            }
        }
    }

    /// Planners import at the same time: an advisory lock makes their revisions follow one another.
    static let incidentLock: Int64 = 0x5254_494E_4349_4445  // "RTINCIDE"

    public func upsert(incidents: [Incident]) async throws -> IncidentImport {
        let incidents = lastOfEach(incidents, id: \.id)
        return try await session.transaction("importing incidents") {
            try await rows("SELECT pg_advisory_xact_lock(\(Self.incidentLock))", "importing incidents")
            let revision = try await incidentRevision() + 1
            var existing: [String: Incident] = [:]
            for start in stride(from: 0, to: incidents.count, by: Self.bulkRows) {
                var binds = PostgresBindings()
                binds.append(incidents[start..<min(start + Self.bulkRows, incidents.count)].map(\.id))
                for found in try await rows("SELECT \(incidentColumns) FROM incidents WHERE id = ANY($1::text[])",
                                            "importing incidents", binds) {
                    let incident = try decodeIncident(row(found, "incidents"))
                    existing[incident.id] = incident
                }
            }
            var added: [Incident] = [], changed: [Incident] = [], restated: [Incident] = []
            for incident in incidents {
                if let old = existing[incident.id] {
                    if old.scoresLike(incident) { restated.append(incident) } else { changed.append(incident) }
                } else {
                    added.append(incident)
                }
            }
            // New ones get the revision as created and changed; changed ones as changed; the
            // others keep theirs (their description or source may still change).
            for (group, created, changedRevision) in [(added, revision, revision), (changed, -1, revision), (restated, -1, -1)] {
                for start in stride(from: 0, to: group.count, by: Self.bulkRows) {
                    let part = group[start..<min(start + Self.bulkRows, group.count)]
                    var binds = ColumnBinds(incidents: Array(part))
                    binds.bindings.append(created)              // $15: -1 keeps the stored value
                    binds.bindings.append(changedRevision)      // $16: -1 keeps the stored value
                    try await rows("""
                        INSERT INTO incidents (id, occurred_at, location, killed, injured, category, target, description, source,
                            added_at, created_revision, changed_revision)
                        SELECT id, to_timestamp(at), ST_SetSRID(ST_MakePoint(lon, lat), 4326), killed, injured,
                            CASE WHEN category_null THEN NULL ELSE category END, CASE WHEN target_null THEN NULL ELSE target END,
                            CASE WHEN description_null THEN NULL ELSE description END, CASE WHEN source_null THEN NULL ELSE source END,
                            now(), $15, $16
                        FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                                    $7::text[], $8::bool[], $9::text[], $10::bool[], $11::text[], $12::bool[], $13::text[], $14::bool[])
                            AS t(id, at, lon, lat, killed, injured, category, category_null, target, target_null,
                                 description, description_null, source, source_null)
                        ON CONFLICT (id) DO UPDATE SET occurred_at = excluded.occurred_at, location = excluded.location,
                            killed = excluded.killed, injured = excluded.injured, category = excluded.category,
                            target = excluded.target, description = excluded.description, source = excluded.source,
                            changed_revision = CASE WHEN $16 < 0 THEN incidents.changed_revision ELSE $16 END
                        """, "importing incidents", binds.bindings)
                }
            }
            if !added.isEmpty || !changed.isEmpty { try await setSetting("incident_revision", String(revision)) }
            return IncidentImport(added: added.count, changed: changed.count)
        }
    }

    public func upsert(routes: [Route]) async throws {
        let routes = lastOfEach(routes, id: \.id)
        for route in routes where route.shape.lineParts == nil {
            throw StoreError("route \(route.id): a route must be a LineString or MultiLineString, not a \(route.shape.typeName)")
        }
        try await session.transaction("importing routes") {
            for start in stride(from: 0, to: routes.count, by: Self.bulkRows) {
                let part = routes[start..<min(start + Self.bulkRows, routes.count)]
                var binds = ColumnBinds()
                binds.add(part.map(\.id))
                binds.add(optional: part.map(\.name))
                binds.add(part.map { ByteBuffer(bytes: $0.shape.wkb) })
                binds.add(part.map(\.shape.typeName))
                try await rows("""
                    INSERT INTO routes (id, name, geometry, given_as, updated_at)
                    SELECT id, CASE WHEN name_null THEN NULL ELSE name END, ST_Multi(ST_GeomFromWKB(wkb, 4326)), given_as, now()
                    FROM unnest($1::text[], $2::text[], $3::bool[], $4::bytea[], $5::text[]) AS t(id, name, name_null, wkb, given_as)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, geometry = excluded.geometry, given_as = excluded.given_as,
                        updated_at = excluded.updated_at
                    """, "importing routes", binds.bindings)
            }
        }
    }

    public func upsert(movements: [Movement]) async throws -> [RefusedMovement] {
        let movements = lastOfEach(movements, id: \.id, also: \.routeID)
        return try await session.transaction("importing movements") {
            var known = Set<String>()
            let routeIDs = Array(Set(movements.map(\.routeID)))
            for start in stride(from: 0, to: routeIDs.count, by: Self.bulkRows) {
                var binds = PostgresBindings()
                binds.append(Array(routeIDs[start..<min(start + Self.bulkRows, routeIDs.count)]))
                for found in try await rows("SELECT id FROM routes WHERE id = ANY($1::text[])", "importing movements", binds) {
                    known.insert(try row(found, "routes").text("id"))
                }
            }
            let accepted = movements.filter { known.contains($0.routeID) }
            for start in stride(from: 0, to: accepted.count, by: Self.bulkRows) {
                let part = accepted[start..<min(start + Self.bulkRows, accepted.count)]
                var binds = ColumnBinds()
                binds.add(part.map(\.id))
                binds.add(part.map(\.routeID))
                binds.add(part.map(\.departsAt.timeIntervalSince1970))
                binds.add(part.map(\.status.rawValue))
                binds.add(part.map(\.labels))
                try await rows("""
                    INSERT INTO movements (id, route_id, departs_at, status, labels, updated_at)
                    SELECT id, route_id, to_timestamp(departs), status, labels, now()
                    FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[]) AS t(id, route_id, departs, status, labels)
                    ON CONFLICT (id) DO UPDATE SET route_id = excluded.route_id, departs_at = excluded.departs_at,
                        status = excluded.status, labels = excluded.labels, updated_at = excluded.updated_at
                    """, "importing movements", binds.bindings)
            }
            return movements.filter { !known.contains($0.routeID) }
                .map { RefusedMovement(id: $0.id, reason: "route \"\($0.routeID)\" is not in the store") }
        }
    }

    // MARK: Inputs

    public func zones() async throws -> [Zone] {
        try await rows("""
            SELECT id, name, kind, base, multiplier, given_as, ST_AsBinary(geometry, 'NDR') AS wkb FROM zones ORDER BY \(SQL.byCodePoint("id"))
            """, "reading the zones").map { found in
            let r = row(found, "zones")
            let givenAs = try r.text("given_as")
            let shape = try r.parse("geometry") { () throws -> Shape in
                let stored = try Shape(wkb: try r.bytes("wkb"))
                if givenAs == "Polygon", case .multiPolygon(let polygons) = stored, polygons.count == 1 { return .polygon(polygons[0]) }
                return stored
            }
            return Zone(id: try r.text("id"), name: try r.text("name"), kind: try r.text("kind"), base: try r.real("base"),
                        multiplier: try r.real("multiplier"), shape: shape)
        }
    }

    var incidentColumns: String {
        """
        id, \(SQL.epoch("occurred_at")), ST_X(location) AS lon, ST_Y(location) AS lat, killed, injured, category, target,
        description, source, created_revision, changed_revision
        """
    }

    private func decodeIncident(_ r: StoredRow) throws -> Incident {
        Incident(id: try r.text("id"), location: Coordinate(try r.real("lon"), try r.real("lat")), time: try r.date("occurred_at"),
                 killed: try r.real("killed"), injured: try r.real("injured"), category: try r.optionalText("category"),
                 target: try r.optionalText("target"), description: try r.optionalText("description"),
                 source: try r.optionalText("source"))
    }

    public func incidents() async throws -> [StoredIncident] {
        try await rows("SELECT \(incidentColumns) FROM incidents ORDER BY occurred_at, \(SQL.byCodePoint("id"))", "reading the incidents")
            .map { found in
                let r = row(found, "incidents")
                return StoredIncident(incident: try decodeIncident(r), createdRevision: try r.integer("created_revision"),
                                      changedRevision: try r.integer("changed_revision"))
            }
    }

    public func incidentRevision() async throws -> Int {
        guard let text = try await setting("incident_revision") else { return 0 }
        guard let revision = Int(text) else {
            throw StoredValueError(store: location, table: "meta", row: "key \"incident_revision\"", column: "value",
                                   reason: "\"\(text)\" is not a whole number")
        }
        return revision
    }

    public func routes() async throws -> StoredRoutes {
        var stored = StoredRoutes()
        for found in try await rows("SELECT id, name, given_as, ST_AsBinary(geometry, 'NDR') AS wkb FROM routes", "reading the routes") {
            let r = row(found, "routes")
            let id = try r.text("id")
            do {
                let givenAs = try r.text("given_as")
                var shape = try Shape(wkb: try r.bytes("wkb"))
                if givenAs == "LineString", case .multiLineString(let parts) = shape, parts.count == 1 { shape = .lineString(parts[0]) }
                stored.routes[id] = Route(id: id, name: try r.optionalText("name"), shape: shape)
            } catch {
                stored.unreadable[id] = "stored geometry cannot be read: \(error)"
            }
        }
        return stored
    }

    private static let movementColumns = "id, route_id, \(SQL.epoch("departs_at")), status, labels"

    private func decodeMovement(_ found: PostgresRow) throws -> Movement {
        let r = row(found, "movements")
        return Movement(id: try r.text("id"), routeID: try r.text("route_id"), departsAt: try r.date("departs_at"),
                        status: try r.choice("status", as: Movement.Status.self),
                        labels: try r.text("labels"))
    }

    public func movements() async throws -> [Movement] {
        try await rows("SELECT \(Self.movementColumns) FROM movements ORDER BY departs_at, \(SQL.byCodePoint("id"))", "reading the movements")
            .map(decodeMovement)
    }

    public func scheduledMovements(in window: BatchWindow, from asOf: Date) async throws -> [Movement] {
        var binds = PostgresBindings()
        var condition = ""
        if let departures = window.departures(from: asOf) {
            binds.append(departures.lowerBound)
            binds.append(departures.upperBound)
            condition = "AND departs_at >= to_timestamp($1) AND departs_at < to_timestamp($2)"
        }
        return try await rows("""
            SELECT \(Self.movementColumns) FROM movements WHERE status = 'scheduled' \(condition)
            ORDER BY departs_at, \(SQL.byCodePoint("id"))
            """, "selecting the movements to score", binds).map(decodeMovement)
    }

    public func counts() async throws -> StoreCounts {
        let found = try await rows("""
            SELECT 'counts' AS id, (SELECT count(*) FROM zones) AS zones, (SELECT count(*) FROM incidents) AS incidents,
                (SELECT count(*) FROM routes) AS routes, (SELECT count(*) FROM movements) AS movements,
                (SELECT count(*) FROM movements WHERE status = 'scheduled') AS scheduled, (SELECT count(*) FROM runs) AS runs
            """, "counting what the store holds")
        let r = row(found[0], "counts")
        return StoreCounts(zones: try r.integer("zones"), incidents: try r.integer("incidents"), routes: try r.integer("routes"),
                           movements: try r.integer("movements"), scheduled: try r.integer("scheduled"), runs: try r.integer("runs"))
    }

    // MARK: Runs

    /// Workers that start together open one run: an advisory lock serialises `openRun`.
    static let runLock: Int64 = 0x5254_5255_4E4F_5045  // "RTRUNOPE"

    func decodeRun(_ found: PostgresRow) throws -> RunRecord {
        let r = row(found, "runs")
        let windowText = try r.text("window")
        guard let window = BatchWindow(windowText) else { throw r.error("window", "\"\(windowText)\" is not a window") }
        let mode = try r.choice("mode", as: RunMode.self), status = try r.choice("status", as: RunStatus.self)
        return RunRecord(id: try r.integer("id"), startedAt: try r.date("started_at"), finishedAt: try r.optionalDate("finished_at"),
                         asOf: try r.date("as_of"), window: window, mode: mode, status: status,
                         inputs: RunInputs(modelHash: try r.text("model_hash"), zonesHash: try r.text("zones_hash"),
                                           incidentRevision: try r.integer("incident_revision")),
                         counters: RunCounters(selected: try r.integer("selected"), scored: try r.integer("scored"),
                                               failed: try r.integer("failed"), recomputed: try r.integer("recomputed"),
                                               reused: try r.integer("reused")),
                         basis: try r.parse("basis") { try RunBasisJSON.fromColumn(try r.text("basis")) })
    }

    /// One `batch` at a time on a store, or any number of workers sharing a run, never both: a
    /// batch takes this advisory lock exclusively and workers take it shared, on their
    /// connection, from `openRun` until the connection closes. The server drops it when its
    /// holder's connection goes (a killed process), so an interrupted run is resumed as before.
    static let batchLock: Int64 = 0x5254_4241_5443_484C  // "RTBATCHL"

    private func holdBatchLock(shared: Bool) async throws {
        guard heldBatchLock == nil else { return }
        let operation = "taking the batch lock"
        let answer = shared ? try await rows("SELECT pg_try_advisory_lock_shared(\(Self.batchLock)) AS taken", operation)
            : try await rows("SELECT pg_try_advisory_lock(\(Self.batchLock)) AS taken", operation)
        guard try answer.first?.decode(Bool.self) == true else {
            throw StoreError(shared ? "a batch is running on \(server) (not as workers); wait for it to finish"
                : "another batch or workers are running on \(server); wait for them to finish")
        }
        heldBatchLock = (shared, ())
    }

    /// Lets the next batch or workers in once this connection's run is finished.
    func releaseBatchLock() async throws {
        guard let held = heldBatchLock else { return }
        let operation = "releasing the batch lock"
        if held.shared {
            try await rows("SELECT pg_advisory_unlock_shared(\(Self.batchLock))", operation)
        } else {
            try await rows("SELECT pg_advisory_unlock(\(Self.batchLock))", operation)
        }
        heldBatchLock = nil
    }

    public func openRun(_ request: RunRequest) async throws -> OpenedRun {
        try await holdBatchLock(shared: request.shared)
        return try await session.transaction("opening a run") {
            try await rows("SELECT pg_advisory_xact_lock(\(Self.runLock))", "opening a run")
            if let latest = try await rows("SELECT \(SQL.runColumns) FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1",
                                           "opening a run").first {
                let running = try decodeRun(latest)
                if request.resumes(running) { return OpenedRun(run: running, resumed: true) }
            }
            var abandon = PostgresBindings()
            abandon.append(request.startedAt.timeIntervalSince1970)
            try await rows("UPDATE runs SET status = 'abandoned', finished_at = to_timestamp($1) WHERE status = 'running'",
                           "abandoning an interrupted run", abandon)
            var binds = PostgresBindings()
            binds.append(request.startedAt.timeIntervalSince1970)
            binds.append(request.asOf.timeIntervalSince1970)
            binds.append(request.window.description)
            binds.append(ModelReader.json(request.model).serialized())
            binds.append(request.inputs.modelHash)
            binds.append(request.inputs.zonesHash)
            binds.append(request.inputs.incidentRevision)
            binds.append(request.mode.rawValue)
            binds.append(RunBasisJSON.column(request.basis))
            let inserted = try await rows("""
                INSERT INTO runs (started_at, as_of, "window", model, model_hash, zones_hash, incident_revision, mode, status, basis)
                VALUES (to_timestamp($1), to_timestamp($2), $3, $4, $5, $6, $7, $8, 'running', $9)
                RETURNING \(SQL.runColumns)
                """, "opening a run", binds)
            return OpenedRun(run: try decodeRun(inserted[0]), resumed: false)
        }
    }

    public func setSelected(_ count: Int, run: Int) async throws {
        var binds = PostgresBindings()
        binds.append(count)
        binds.append(run)
        let updated = try await rows("UPDATE runs SET selected = $1 WHERE id = $2 RETURNING id", "recording the run's selection", binds)
        if updated.isEmpty { throw StoreError("no run \(run)") }
    }

    public func movementsDone(run: Int) async throws -> Set<String> {
        var binds = PostgresBindings()
        binds.append(run)
        let found = try await rows("""
            SELECT movement_id FROM scores WHERE run_id = $1 UNION ALL SELECT movement_id FROM failures WHERE run_id = $1
            """, "reading the run's finished movements", binds)
        return Set(try found.map { try row($0, "scores", key: ["movement_id"]).text("movement_id") })
    }

    /// Records outcomes inside the caller's transaction: the run must be running (its row is
    /// locked, so concurrent chunks add to its counters one after another) and no movement may
    /// have an outcome in it yet.
    func insert(_ outcomes: [MovementOutcome], run: Int) async throws {
        var lock = PostgresBindings()
        lock.append(run)
        guard let status = try await rows("SELECT id, status FROM runs WHERE id = $1 FOR UPDATE", "recording outcomes", lock).first else {
            throw StoreError("no run \(run)")
        }
        let statusText = try row(status, "runs").text("status")
        guard statusText == RunStatus.running.rawValue else {
            throw StoreError("run \(run) is \(statusText); only a running run takes outcomes")
        }
        var seen = Set<String>()
        for outcome in outcomes where !seen.insert(Identifier.normalized(outcome.movementID)).inserted {
            throw StoreError("movement \(outcome.movementID) already has an outcome in run \(run)")
        }
        var check = PostgresBindings()
        check.append(run)
        check.append(Array(seen))
        if let clash = try await rows("""
            SELECT movement_id FROM scores WHERE run_id = $1 AND movement_id = ANY($2::text[])
            UNION ALL SELECT movement_id FROM failures WHERE run_id = $1 AND movement_id = ANY($2::text[]) LIMIT 1
            """, "recording outcomes", check).first {
            throw StoreError("movement \(try row(clash, "scores", key: ["movement_id"]).text("movement_id")) already has an outcome in run \(run)")
        }

        var records: [ScoreRecord] = []
        var failures: [MovementFailure] = []
        for outcome in outcomes {
            switch outcome {
            case .scored(let record): records.append(record)
            case .failed(let failure): failures.append(failure)
            }
        }
        try await write(records, failures, run: run)
        let tally = RunCounters(tallying: outcomes)
        var counters = PostgresBindings()
        for value in [tally.scored, tally.failed, tally.recomputed, tally.reused, run] { counters.append(value) }
        try await rows("""
            UPDATE runs SET scored = scored + $1, failed = failed + $2, recomputed = recomputed + $3, reused = reused + $4 WHERE id = $5
            """, "recording the run's counters", counters)
    }

    /// Writes scores and failures of a run, without checks or counters.
    func write(_ records: [ScoreRecord], _ failures: [MovementFailure], run: Int) async throws {
        for start in stride(from: 0, to: records.count, by: Self.bulkRows) {
            let records = Array(records[start..<min(start + Self.bulkRows, records.count)])
            var binds = ColumnBinds()
            let results = records.map(\.score.result)
            binds.add(records.map { Identifier.normalized($0.score.movementID) })
            binds.add(records.map { Identifier.normalized($0.score.routeID) })
            binds.add(records.map(\.routeHash))
            binds.add(results.map(\.evaluatedAt.timeIntervalSince1970))
            binds.add(results.map(\.lengthKm))
            binds.add(results.map(\.exposure))
            binds.add(results.map(\.baseExposure))
            binds.add(results.map(\.incidentExposure))
            binds.add(results.map(\.meanHazard))
            binds.add(results.map(\.peakHazard))
            binds.add(results.map(\.peakAtKm))
            binds.add(results.map(\.peakLocation.x))
            binds.add(results.map(\.peakLocation.y))
            binds.add(results.map(\.score))
            binds.add(results.map(\.band.rawValue))
            binds.add(results.map { ResultJSON.encode($0.zones) })
            binds.add(results.map { ResultJSON.encode($0.topIncidents) })
            binds.add(records.map(\.method.rawValue))
            binds.add(optional: records.map { $0.profile?.bytes })  // $19, $20
            binds.bindings.append(run)                               // $21
            try await rows("""
                INSERT INTO scores (run_id, movement_id, route_id, route_hash, evaluated_at, length_km, exposure, base_exposure,
                    incident_exposure, mean_hazard, peak_hazard, peak_at_km, peak_lon, peak_lat, score, band, zones, top_incidents,
                    how, profile)
                SELECT $21, movement_id, route_id, route_hash, to_timestamp(evaluated), length_km, exposure, base_exposure,
                    incident_exposure, mean_hazard, peak_hazard, peak_at_km, peak_lon, peak_lat, score, band, zones, top_incidents,
                    how, CASE WHEN profile_null THEN NULL ELSE profile END
                FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
                            $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::text[],
                            $16::text[], $17::text[], $18::text[], $19::bytea[], $20::bool[])
                    AS t(movement_id, route_id, route_hash, evaluated, length_km, exposure, base_exposure, incident_exposure,
                         mean_hazard, peak_hazard, peak_at_km, peak_lon, peak_lat, score, band, zones, top_incidents, how,
                         profile, profile_null)
                """, "recording scores", binds.bindings)
        }
        for start in stride(from: 0, to: failures.count, by: Self.bulkRows) {
            let failures = Array(failures[start..<min(start + Self.bulkRows, failures.count)])
            var binds = ColumnBinds()
            binds.add(failures.map { Identifier.normalized($0.movementID) })
            binds.add(failures.map(\.reason))
            binds.bindings.append(run)
            try await rows("""
                INSERT INTO failures (run_id, movement_id, reason) SELECT $3, movement_id, reason
                FROM unnest($1::text[], $2::text[]) AS t(movement_id, reason)
                """, "recording failures", binds.bindings)
        }
    }

    public func record(_ outcomes: [MovementOutcome], run: Int) async throws {
        try await session.transaction("recording outcomes") {
            try await insert(outcomes, run: run)
        }
    }

    /// Marks the run completed inside the caller's transaction.
    func complete(run: Int, at time: Date) async throws -> RunRecord {
        var binds = PostgresBindings()
        binds.append(time.timeIntervalSince1970)
        binds.append(run)
        guard let found = try await rows("""
            UPDATE runs SET status = 'completed', finished_at = to_timestamp($1) WHERE id = $2 AND status = 'running'
            RETURNING \(SQL.runColumns)
            """, "finishing the run", binds).first else {
            let existing = try await self.run(id: run)
            throw StoreError(existing.map { "run \(run) is \($0.status.rawValue); only a running run can be finished" } ?? "no run \(run)")
        }
        var others = PostgresBindings()
        others.append(run)
        // Only the latest completed run's profiles are ever read again.
        try await rows("UPDATE scores SET profile = NULL WHERE run_id <> $1 AND profile IS NOT NULL", "dropping old hazard profiles", others)
        return try decodeRun(found)
    }

    public func finishRun(_ run: Int, at time: Date) async throws -> RunRecord {
        let finished = try await session.transaction("finishing the run") {
            try await complete(run: run, at: time)
        }
        try await releaseBatchLock()
        return finished
    }

    public func runs() async throws -> [RunRecord] {
        try await rows("SELECT \(SQL.runColumns) FROM runs ORDER BY id", "reading the runs").map(decodeRun)
    }

    public func run(id: Int) async throws -> RunRecord? {
        var binds = PostgresBindings()
        binds.append(id)
        return try await rows("SELECT \(SQL.runColumns) FROM runs WHERE id = $1", "reading run \(id)", binds).first.map(decodeRun)
    }

    public func latestCompletedRun() async throws -> RunRecord? {
        try await rows("SELECT \(SQL.runColumns) FROM runs WHERE status = 'completed' ORDER BY id DESC LIMIT 1",
                       "reading the latest completed run").first.map(decodeRun)
    }

    // MARK: Results

    func decodeScore(_ r: StoredRow) throws -> MovementScore {
        let band = try r.choice("band", as: Band.self)
        let result = RouteResult(
            id: try r.text("route_id"), name: nil, evaluatedAt: try r.date("evaluated_at"), lengthKm: try r.real("length_km"),
            exposure: try r.real("exposure"), baseExposure: try r.real("base_exposure"),
            incidentExposure: try r.real("incident_exposure"), meanHazard: try r.real("mean_hazard"),
            peakHazard: try r.real("peak_hazard"), peakAtKm: try r.real("peak_at_km"),
            peakLocation: Coordinate(try r.real("peak_lon"), try r.real("peak_lat")), score: try r.real("score"), band: band,
            zones: try r.parse("zones") { try ResultJSON.zones(from: try r.text("zones")) },
            topIncidents: try r.parse("top_incidents") { try ResultJSON.incidents(from: try r.text("top_incidents")) })
        return MovementScore(movementID: try r.text("movement_id"), routeID: try r.text("route_id"), result: result)
    }

    func decodeScoreRecord(_ found: PostgresRow) throws -> ScoreRecord {
        let r = row(found, "scores", key: ["run_id", "movement_id"])
        let method = try r.choice("how", as: ScoringMethod.self)
        let profile = try r.optionalBytes("profile").map { bytes in
            try r.parse("profile") { () throws -> HazardProfile in
                guard let profile = HazardProfile(bytes: bytes) else { throw StoreError("\(bytes.count) bytes that are not a hazard profile") }
                return profile
            }
        }
        return ScoreRecord(score: try decodeScore(r), routeHash: try r.text("route_hash"), method: method, profile: profile)
    }

    public func scoreRecords(run: Int) async throws -> [ScoreRecord] {
        var binds = PostgresBindings()
        binds.append(run)
        return try await rows("SELECT \(SQL.scoreColumns()), profile FROM scores WHERE run_id = $1", "reading the run's scores", binds)
            .map(decodeScoreRecord)
    }

    /// The scores of some movements in a run: what a worker needs of the previous run for one chunk.
    public func scoreRecords(run: Int, movements: [String]) async throws -> [ScoreRecord] {
        var binds = PostgresBindings()
        binds.append(run)
        binds.append(movements)
        return try await rows("SELECT \(SQL.scoreColumns()), profile FROM scores WHERE run_id = $1 AND movement_id = ANY($2::text[])",
                              "reading previous scores", binds).map(decodeScoreRecord)
    }

    public func scores(run: Int, limit: Int?) async throws -> [MovementScore] {
        var binds = PostgresBindings()
        binds.append(run)
        let limitClause = limit.map { " LIMIT \(max(0, $0))" } ?? ""
        // Scores are stored without names (names live with routes): the route's current name is
        // joined in, so outputs name what planners recognise.
        return try await rows("""
            SELECT \(SQL.scoreColumns()), (SELECT name FROM routes WHERE routes.id = scores.route_id) AS route_name,
                (SELECT labels FROM movements WHERE movements.id = scores.movement_id) AS movement_labels
            FROM scores WHERE run_id = $1 ORDER BY exposure DESC, \(SQL.byCodePoint("movement_id"))\(limitClause)
            """, "reading the run's scores", binds).map {
            let stored = row($0, "scores", key: ["run_id", "movement_id"])
            var score = try decodeScore(stored)
            score.result.name = try stored.optionalText("route_name")
            // NULL only when the store no longer holds the movement (the column is NOT NULL).
            score.labels = try stored.optionalText("movement_labels")
            return score
        }
    }

    public func bandCounts(run: Int) async throws -> [Band: Int] {
        var binds = PostgresBindings()
        binds.append(run)
        var counts = Dictionary(uniqueKeysWithValues: Band.allCases.map { ($0, 0) })
        for found in try await rows("SELECT band, count(*) AS n FROM scores WHERE run_id = $1 GROUP BY band", "counting bands", binds) {
            let r = row(found, "scores", key: ["band"])
            counts[try r.choice("band", as: Band.self)] = try r.integer("n")
        }
        return counts
    }

    public func bandRises(run: Int, since previous: Int) async throws -> [BandRise] {
        let rank = "CASE %@ " + Band.allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0)" }.joined(separator: " ") + " END"
        var binds = PostgresBindings()
        binds.append(run)
        binds.append(previous)
        return try await rows("""
            SELECT \(SQL.scoreColumns(of: "s")), p.band AS previous_band, p.score AS previous_score
            FROM scores s JOIN scores p ON p.run_id = $2 AND p.movement_id = s.movement_id
            WHERE s.run_id = $1 AND \(rank.replacingOccurrences(of: "%@", with: "s.band")) > \(rank.replacingOccurrences(of: "%@", with: "p.band"))
            """, "comparing bands with the previous run", binds).map { found in
            let r = row(found, "scores", key: ["run_id", "movement_id"])
            return BandRise(current: try decodeScore(r), previousBand: try r.choice("previous_band", as: Band.self),
                            previousScore: try r.real("previous_score"))
        }
    }

    public func failures(run: Int) async throws -> [MovementFailure] {
        var binds = PostgresBindings()
        binds.append(run)
        return try await rows("SELECT movement_id, reason FROM failures WHERE run_id = $1 ORDER BY \(SQL.byCodePoint("movement_id"))",
                              "reading the run's failures", binds).map { found in
            let r = row(found, "failures", key: ["movement_id"])
            return MovementFailure(movementID: try r.text("movement_id"), reason: try r.text("reason"))
        }
    }
}

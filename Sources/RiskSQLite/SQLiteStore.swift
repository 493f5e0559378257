import Foundation
import RiskIO
import Geo
import RiskCore

public struct StoreError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The embedded store: an SQLite file in WAL mode with foreign keys on, holding zones,
/// incidents, routes, movements, runs and scores. One `Store` per thread.
public final class Store {
    public let database: SQLiteDatabase
    public var path: String { database.path }

    /// Opens (and with `create`, creates) the store at `path`, running any pending migrations.
    public init(path: String, create: Bool = false) throws {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError("no store at \(path); create one with `routerisk store init --store \(path)`")
        }
        database = try SQLiteDatabase(path: path, create: create)
        try database.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        try migrate()
    }

    public static var schemaVersion: Int { Schema.migrations.count }

    public func version() throws -> Int {
        Int(try database.scalar("PRAGMA user_version").int ?? 0)
    }

    private func migrate() throws {
        let current = try version()
        guard current <= Schema.migrations.count else {
            throw StoreError("\(path) has schema version \(current), newer than this routerisk (\(Schema.migrations.count))")
        }
        for (index, migration) in Schema.migrations.enumerated().dropFirst(current) {
            try database.transaction {
                try database.execute(migration)
                try database.execute("PRAGMA user_version = \(index + 1)")
            }
        }
    }

    // MARK: Settings

    public func setting(_ key: String) throws -> String? {
        try database.scalar("SELECT value FROM meta WHERE key = ?", key).string
    }

    public func setSetting(_ key: String, _ value: String) throws {
        try database.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
    }

    /// The incident revision: bumped by every import that adds or changes incidents.
    public func incidentRevision() throws -> Int {
        Int(try setting("incident_revision").flatMap(Int.init) ?? 0)
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
                    """, zone.id, zone.name, zone.kind, zone.base, zone.multiplier, GeoJSON.serialize(zone.shape), now)
            }
        }
    }

    /// Adds new incidents and updates changed ones; returns how many were added and changed.
    @discardableResult
    public func upsert(incidents: [Incident], addedAt: Date = Date()) throws -> (added: Int, changed: Int) {
        try database.transaction {
            let revision = try incidentRevision() + 1
            var added = 0, changed = 0
            for i in incidents {
                let values: [SQLConvertible] = [i.id, i.time.timeIntervalSince1970, i.location.x, i.location.y, i.killed, i.injured,
                                                i.category, i.target, i.description, i.source, addedAt.timeIntervalSince1970, revision, revision]
                let existing = try database.query("SELECT occurred_at, lon, lat, killed, injured, category, target FROM incidents WHERE id = ?", i.id).first
                if let row = existing {
                    let same = row["occurred_at"].double == i.time.timeIntervalSince1970 && row["lon"].double == i.location.x
                        && row["lat"].double == i.location.y && row["killed"].double == i.killed && row["injured"].double == i.injured
                        && row["category"].string == i.category && row["target"].string == i.target
                    try database.run("""
                        UPDATE incidents SET occurred_at = ?2, lon = ?3, lat = ?4, killed = ?5, injured = ?6, category = ?7,
                            target = ?8, description = ?9, source = ?10, changed_revision = CASE WHEN ?11 THEN changed_revision ELSE ?12 END
                        WHERE id = ?1
                        """, [i.id, i.time.timeIntervalSince1970, i.location.x, i.location.y, i.killed, i.injured, i.category,
                              i.target, i.description, i.source, same ? 1 : 0, revision])
                    if !same { changed += 1 }
                } else {
                    try database.run("""
                        INSERT INTO incidents (id, occurred_at, lon, lat, killed, injured, category, target, description, source,
                            added_at, created_revision, changed_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, values)
                    added += 1
                }
            }
            if added + changed > 0 { try setSetting("incident_revision", String(revision)) }
            return (added, changed)
        }
    }

    public func upsert(routes: [Route]) throws {
        let now = Date().timeIntervalSince1970
        try database.transaction {
            for route in routes {
                try database.run("""
                    INSERT INTO routes (id, name, geometry, lines, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, geometry = excluded.geometry, lines = excluded.lines,
                        updated_at = excluded.updated_at
                    """, route.id, route.name, GeoJSON.serialize(route.shape),
                                 LineCodec.encode(route.shape).map(SQLValue.blob) ?? .null, now)
            }
        }
    }

    /// Adds or updates movements. One whose route is not in the store is refused and reported
    /// by id; the others are kept.
    public func upsert(movements: [Movement]) throws -> [(id: String, reason: String)] {
        let now = Date().timeIntervalSince1970
        return try database.transaction {
            var refused: [(String, String)] = []
            for movement in movements {
                guard try database.scalar("SELECT 1 FROM routes WHERE id = ?", movement.routeID) != .null else {
                    refused.append((movement.id, "route \"\(movement.routeID)\" is not in the store"))
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

    // MARK: Reads

    public func zones() throws -> [Zone] {
        try database.query("SELECT * FROM zones ORDER BY id").map { row in
            Zone(id: row["id"].string ?? "", name: row["name"].string ?? "", kind: row["kind"].string ?? "",
                 base: row["base"].double ?? 0, multiplier: row["multiplier"].double ?? 1,
                 shape: try GeoJSON.parseGeometry(row["geometry"].string ?? ""))
        }
    }

    public func incidents() throws -> [Incident] {
        try database.query("SELECT * FROM incidents ORDER BY occurred_at, id").map(Store.incident)
    }

    static func incident(_ row: SQLRow) -> Incident {
        Incident(id: row["id"].string ?? "", location: Coordinate(row["lon"].double ?? 0, row["lat"].double ?? 0),
                 time: Date(timeIntervalSince1970: row["occurred_at"].double ?? 0),
                 killed: row["killed"].double ?? 0, injured: row["injured"].double ?? 0,
                 category: row["category"].string, target: row["target"].string,
                 description: row["description"].string, source: row["source"].string)
    }

    /// Routes by id. A route whose stored geometry does not parse is returned in `broken`.
    public func routes() throws -> (routes: [String: Route], broken: [String: String]) {
        var routes: [String: Route] = [:]
        var broken: [String: String] = [:]
        try database.forEach("SELECT id, name, geometry, lines FROM routes") { row in
            let id = row["id"].string ?? ""
            do {
                let shape = try row["lines"].bytes.flatMap(LineCodec.decode) ?? GeoJSON.parseGeometry(row["geometry"].string ?? "")
                routes[id] = Route(id: id, name: row["name"].string, shape: shape)
            } catch {
                broken[id] = "stored geometry does not parse: \(error)"
            }
        }
        return (routes, broken)
    }

    public func movements() throws -> [Movement] {
        try database.query("SELECT * FROM movements ORDER BY departs_at, id").map(Store.movement)
    }

    static func movement(_ row: SQLRow) -> Movement {
        Movement(id: row["id"].string ?? "", routeID: row["route_id"].string ?? "",
                 departsAt: Date(timeIntervalSince1970: row["departs_at"].double ?? 0),
                 status: Movement.Status(rawValue: row["status"].string ?? "") ?? .scheduled, labels: row["labels"].string ?? "")
    }

    public struct Counts: Equatable, Sendable {
        public var zones = 0, incidents = 0, routes = 0, movements = 0, scheduled = 0, runs = 0
    }

    public func counts() throws -> Counts {
        func count(_ sql: String) throws -> Int { Int(try database.scalar(sql).int ?? 0) }
        return Counts(zones: try count("SELECT COUNT(*) FROM zones"), incidents: try count("SELECT COUNT(*) FROM incidents"),
                      routes: try count("SELECT COUNT(*) FROM routes"), movements: try count("SELECT COUNT(*) FROM movements"),
                      scheduled: try count("SELECT COUNT(*) FROM movements WHERE status = 'scheduled'"),
                      runs: try count("SELECT COUNT(*) FROM runs"))
    }
}

extension Store {
    /// The model batches use: the one saved with `setModel`, else the spec's defaults.
    public func model() throws -> Model {
        guard let text = try setting("model") else { return Model() }
        return try ModelReader.parse(try JSONValue.parse(text), file: "\(path) (stored model)")
    }

    public func setModel(_ model: Model) throws {
        try setSetting("model", ModelReader.json(model).serialized())
    }
}

/// Lines in binary: a 32-bit part count, then per part a 32-bit position count and the positions
/// as pairs of 64-bit floats, all little-endian. Only (multi)line strings are encoded.
enum LineCodec {
    static func encode(_ shape: Shape) -> [UInt8]? {
        guard let parts = shape.lineParts else { return nil }
        var out: [UInt8] = []
        func put(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        put(shape.typeName == "LineString" ? 0 : 1)
        put(UInt32(parts.count))
        for part in parts {
            put(UInt32(part.count))
            for c in part {
                withUnsafeBytes(of: c.x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: c.y.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> Shape? {
        var offset = 0
        func word() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        func double() -> Double? {
            guard offset + 8 <= bytes.count else { return nil }
            defer { offset += 8 }
            return Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) })
        }
        guard let kind = word(), let count = word() else { return nil }
        var parts: [[Coordinate]] = []
        for _ in 0..<count {
            guard let positions = word() else { return nil }
            var part: [Coordinate] = []
            part.reserveCapacity(Int(positions))
            for _ in 0..<positions {
                guard let x = double(), let y = double() else { return nil }
                part.append(Coordinate(x, y))
            }
            parts.append(part)
        }
        guard offset == bytes.count else { return nil }
        if kind == 0, parts.count == 1 { return .lineString(parts[0]) }
        return kind == 1 ? .multiLineString(parts) : nil
    }
}

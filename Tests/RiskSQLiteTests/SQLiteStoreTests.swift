import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing
@testable import RiskSQLite

let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

func temporaryStorePath() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("store.sqlite").path
}

func meridian(_ id: String, lon: Double = 67, from south: Double = 24, to north: Double = 26) -> Route {
    Route(id: id, shape: .lineString([Coordinate(lon, south), Coordinate(lon, north)]))
}

/// What the SQLite adapter does beyond the store contract (StoreContractTests): the file, its
/// schema and migrations, the binary copy of routes, and decoding rows.
@Suite struct SQLiteStoreTests {
    @Test func migrationsRunOnceAndRecordTheVersion() throws {
        let path = temporaryStorePath()
        do {
            let store = try SQLiteStore(path: path, create: true)
            #expect(try store.version() == SQLiteStore.schemaVersion)
            try store.upsert(zones: [Zone(id: "z", name: "Z", kind: "zone", shape: .polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]))])
        }
        let database = try SQLiteDatabase(path: path, create: false)
        #expect(try database.scalar("PRAGMA journal_mode").string == "wal")
        // Opening again keeps the data and runs nothing twice.
        let again = try SQLiteStore(path: path)
        #expect(try again.version() == SQLiteStore.schemaVersion)
        #expect(try again.counts().zones == 1)
        // A store from a newer routerisk is refused, not damaged.
        try database.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { _ = try SQLiteStore(path: path) }
        #expect(throws: StoreError.self) { _ = try SQLiteStore(path: temporaryStorePath() + "-missing") }
    }

    @Test func aStoreFromAnEarlierVersionIsMigratedAndReadable() throws {
        let path = temporaryStorePath()
        do {
            // Schema version 2, as an earlier routerisk left it: routes without their binary copy.
            let database = try SQLiteDatabase(path: path, create: true)
            for migration in Schema.migrations.prefix(2) { try database.execute(migration) }
            try database.execute("PRAGMA user_version = 2")
            try database.run("INSERT INTO routes (id, name, geometry, updated_at) VALUES ('old', NULL, ?, 0)",
                             #"{"type":"LineString","coordinates":[[67,24],[67.5,25]]}"#)
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.version() == 4)  // every migration since ran, up to the runs' basis
        #expect(try store.routes() == StoredRoutes(routes: ["old": Route(id: "old", shape: .lineString([Coordinate(67, 24), Coordinate(67.5, 25)]))]))
    }

    @Test func routesKeepABinaryCopyThatAnEditToTheGeoJSONDrops() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        let multi = Route(id: "m", shape: .multiLineString([[Coordinate(67, 24), Coordinate(67.5, 24.2)], [Coordinate(68, 25), Coordinate(68.1, 25.3)]]))
        try store.upsert(routes: [meridian("r1"), multi])
        let database = try SQLiteDatabase(path: path, create: false)
        #expect(try database.scalar("SELECT COUNT(*) FROM routes WHERE lines IS NOT NULL").int == 2)
        // 4 + 4 bytes of header, then per part a count and 16 bytes per position.
        #expect(try database.scalar("SELECT length(lines) FROM routes WHERE id = 'm'").int == 8 + 2 * (4 + 2 * 16))
        #expect(try store.routes().routes == ["r1": meridian("r1"), "m": multi])
        // Editing the GeoJSON alone drops the binary copy, so the edit is what is read.
        try database.run("UPDATE routes SET geometry = ? WHERE id = 'm'", #"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#)
        #expect(try database.scalar("SELECT lines FROM routes WHERE id = 'm'") == .null)
        #expect(try store.routes().routes["m"]?.shape == .lineString([Coordinate(1, 2), Coordinate(3, 4)]))
    }

    @Test func aRouteWhoseGeometryCannotBeReadIsUnreadableByIdAndTheOthersAreRead() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try store.upsert(routes: [meridian("good"), meridian("text"), meridian("blob")])
        let database = try SQLiteDatabase(path: path, create: false)
        try database.run("UPDATE routes SET geometry = '{\"type\":\"LineString\"', lines = NULL WHERE id = 'text'")
        try database.run("UPDATE routes SET lines = x'01020304' WHERE id = 'blob'")
        let routes = try store.routes()
        #expect(routes.routes == ["good": meridian("good")])
        #expect(routes.unreadable.keys.sorted() == ["blob", "text"])
        #expect(routes.unreadable["text"]?.contains("routes row id \"text\", column geometry: does not parse") == true)
        #expect(routes.unreadable["blob"]?.contains("routes row id \"blob\", column lines: not a valid binary encoding") == true)
        // Any other bad column stops the read.
        try database.run("UPDATE routes SET name = x'00' WHERE id = 'good'")
        #expect(throws: StoredValueError(store: path, table: "routes", row: "id \"good\"", column: "name",
                                         reason: "a blob of 1 bytes where text is required")) { _ = try store.routes() }
    }

    @Test func badSettingsAreErrorsNamingTheSetting() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        let database = try SQLiteDatabase(path: path, create: false)
        try database.run("INSERT INTO meta (key, value) VALUES ('incident_revision', 'two')")
        #expect(throws: StoredValueError(store: path, table: "meta", row: "key \"incident_revision\"", column: "value",
                                         reason: "\"two\" is not a revision number")) { _ = try store.incidentRevision() }
        try database.run("INSERT INTO meta (key, value) VALUES ('model', '{\"sigma_km\": ')")
        do {
            _ = try store.model()
            Issue.record("a model that is not JSON was read")
        } catch let error as StoredValueError {
            #expect(error.table == "meta" && error.row == "key \"model\"" && error.column == "value" && error.reason.hasPrefix("the model is not JSON"))
        }
        try database.run("UPDATE meta SET value = '{\"sigma_km\": -1}' WHERE key = 'model'")
        let invalid = #expect(throws: (any Error).self) { _ = try store.model() }
        #expect("\(invalid.map { "\($0)" } ?? "nothing")".contains("sigma_km") && "\(invalid.map { "\($0)" } ?? "nothing")".contains(path))
    }
}

/// Reading one column of a row: every way a value can be wrong is an error naming the table,
/// the row and the column.
@Suite struct StoredRowTests {
    let row = StoredRow(SQLRow(columns: ["id": .text("r1"), "n": .integer(3), "x": .real(2.5), "t": .text("abc"), "nothing": .null,
                                         "nan": .real(.nan), "inf": .real(-.infinity), "bytes": .blob([1, 2])]),
                        table: "things", key: ["id"], store: "s.sqlite")

    func reason<T>(_ body: (StoredRow) throws -> T) -> String? {
        do {
            _ = try body(row)
            return nil
        } catch let error as StoredValueError {
            #expect(error.store == "s.sqlite" && error.table == "things" && error.row == "id \"r1\"")
            return "\(error.column): \(error.reason)"
        } catch {
            return "another error: \(error)"
        }
    }

    @Test func valuesOfTheRightTypeAreRead() throws {
        #expect(try row.text("t") == "abc")
        #expect(try row.optionalText("nothing") == nil)
        #expect(try row.real("x") == 2.5)
        #expect(try row.real("n") == 3, "a whole number kept as INTEGER is a number")
        #expect(try row.integer("n") == 3)
        #expect(try row.optionalReal("nothing") == nil)
        #expect(try row.date("x") == Date(timeIntervalSince1970: 2.5))
        #expect(try row.optionalBlob("bytes") == [1, 2])
        #expect(try row.optionalDate("nothing") == nil)
    }

    @Test func missingNullMistypedOrNonFiniteValuesAreErrors() {
        #expect(reason { try $0.text("absent") } == "absent: the column is missing")
        #expect(reason { try $0.optionalText("absent") } == "absent: the column is missing")
        #expect(reason { try $0.real("nothing") } == "nothing: NULL where a number is required")
        #expect(reason { try $0.text("nothing") } == "nothing: NULL where text is required")
        #expect(reason { try $0.integer("nothing") } == "nothing: NULL where an integer is required")
        #expect(reason { try $0.real("t") } == "t: the text \"abc\" where a number is required")
        #expect(reason { try $0.optionalReal("t") } == "t: the text \"abc\" where a number is required")
        #expect(reason { try $0.integer("x") } == "x: the number 2.5 where an integer is required")
        #expect(reason { try $0.text("n") } == "n: the integer 3 where text is required")
        #expect(reason { try $0.text("bytes") } == "bytes: a blob of 2 bytes where text is required")
        #expect(reason { try $0.optionalBlob("t") } == "t: the text \"abc\" where a blob is required")
        #expect(reason { try $0.real("nan") } == "nan: nan where a finite number is required")
        #expect(reason { try $0.date("inf") } == "inf: -inf where a finite number is required")
        #expect(reason { try $0.choice("t", as: Band.self) } == "t: \"abc\" is not one of \"LOW\", \"MODERATE\", \"HIGH\", \"EXTREME\"")
    }

    @Test func theRowIsNamedByItsKeyEvenWhenTheKeyIsBad() {
        let scores = StoredRow(SQLRow(columns: ["run_id": .integer(4), "movement_id": .text("m\"1")]), table: "scores",
                               key: ["run_id", "movement_id"], store: "s")
        #expect(scores.rowName == "run_id 4, movement_id \"m\"1\"")
        let broken = StoredRow(SQLRow(columns: ["id": .null]), table: "zones", key: ["id"], store: "s")
        #expect(broken.rowName == "id NULL")
        #expect(StoredRow(SQLRow(columns: [:]), table: "zones", key: ["id"], store: "s").rowName == "id (missing)")
    }
}

@Suite struct LineCodecTests {
    @Test func linesRoundTripAndDamagedBytesAreRefused() throws {
        let multi: Shape = .multiLineString([[Coordinate(67, 24), Coordinate(67.5, 24.25)], [Coordinate(-0.0, 1e-300)]])
        let bytes = try #require(LineCodec.encode(multi))
        #expect(LineCodec.decode(bytes) == multi)
        // Type 1 (multi), 2 parts, the first with 2 positions: little-endian words.
        #expect(Array(bytes.prefix(12)) == [1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0])
        #expect(LineCodec.decode(Array(bytes.dropLast())) == nil, "truncated")
        #expect(LineCodec.decode(bytes + [0]) == nil, "trailing bytes")
        #expect(LineCodec.encode(.point(Coordinate(1, 2))) == nil)
    }
}

import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing
@testable import RiskSQLite

/// Issue 10: store contents are input. Each test failed before its fix.
@Suite struct SQLiteHardeningTests {
    /// `PRAGMA user_version = -1` used to crash every store command (`dropFirst(-1)`).
    @Test func aNegativeSchemaVersionIsAnErrorNotACrash() throws {
        let path = temporaryStorePath()
        _ = try SQLiteStore(path: path, create: true)
        try SQLiteDatabase(path: path, create: false).execute("PRAGMA user_version = -1")
        let error = try #require(throws: StoreError.self) { _ = try SQLiteStore(path: path) }
        #expect(error.message.contains("schema version -1"))
    }

    /// A part count of 0xFFFFFFFF positions used to reserve 64 GiB before reading one.
    @Test func aCorruptedPositionCountIsRefusedWithoutReservingIt() throws {
        // LineString kind 0, 1 part, 0xFFFFFFFF positions, then one position (16 bytes).
        let bytes: [UInt8] = [0, 0, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 16)
        #expect(LineCodec.decode(bytes) == nil)
        // Exactly one position announced and present still decodes: (1.5, -2) as little-endian doubles.
        var good: [UInt8] = [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
        withUnsafeBytes(of: (1.5).bitPattern.littleEndian) { good += $0 }
        withUnsafeBytes(of: (-2.0).bitPattern.littleEndian) { good += $0 }
        #expect(LineCodec.decode(good) == .lineString([Coordinate(1.5, -2)]))

        // Through the store: only that route's movements fail, the route is named.
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try store.upsert(routes: [meridian("bad"), meridian("good", lon: 68)])
        try SQLiteDatabase(path: path, create: false).run("UPDATE routes SET lines = ? WHERE id = 'bad'", SQLValue.blob(bytes))
        let routes = try store.routes()
        #expect(routes.routes.keys.sorted() == ["good"])
        #expect(routes.unreadable["bad"]?.contains("lines") == true)
    }

    /// Stored casualties or zone factors near 1e308 used to overflow every later batch to a raw
    /// NOT NULL error; now the row is named when it is read.
    @Test func storedValuesOutOfRangeNameTheRow() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try store.upsert(incidents: [Incident(id: "i1", location: Coordinate(67, 25), time: asOf, killed: 1)])
        try store.upsert(zones: [Zone(id: "z1", name: "Z", kind: "zone", shape: .polygon([[Coordinate(0, 0), Coordinate(1, 0),
                                                                                          Coordinate(1, 1), Coordinate(0, 0)]]))])
        let database = try SQLiteDatabase(path: path, create: false)
        try database.execute("UPDATE incidents SET killed = 1e308")
        let incidentError = try #require(throws: StoredValueError.self) { _ = try store.incidents() }
        #expect(incidentError.description.contains("id \"i1\"") && incidentError.description.contains("killed"))
        try database.execute("UPDATE zones SET multiplier = 1e300")
        let zoneError = try #require(throws: StoredValueError.self) { _ = try store.zones() }
        #expect(zoneError.description.contains("id \"z1\"") && zoneError.description.contains("multiplier"))
    }

    /// A stored model with sigma 1e-300 used to crash every batch (SIGILL); it is refused by key.
    @Test func aStoredModelOutOfRangeIsRefusedByKey() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try SQLiteDatabase(path: path, create: false).run("INSERT INTO meta (key, value) VALUES ('model', ?)", #"{"sigma_km": 1e-300}"#)
        let error = try #require(throws: (any Error).self) { _ = try store.model() }
        #expect("\(error)".contains("sigma_km: must be between 0.5 and 500"))
    }

    /// `café` precomposed and decomposed used to be two rows (SQLite compares bytes) while Swift
    /// saw one id; the store now keeps ids in NFC, so they are one row.
    @Test func canonicallyEquivalentIdsAreOneRow() throws {
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        #expect(Array(nfc.utf8) != Array(nfd.utf8))
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try store.upsert(routes: [meridian(nfc)])
        try store.upsert(routes: [meridian(nfd, lon: 68)])
        #expect(try store.counts().routes == 1)
        let refused = try store.upsert(movements: [Movement(id: nfd, routeID: nfd, departsAt: asOf),
                                                   Movement(id: nfc, routeID: nfc, departsAt: asOf)])
        #expect(refused.isEmpty)
        #expect(try store.counts().movements == 1)
        #expect(try store.movements().map { Array($0.id.utf8) } == [Array(nfc.utf8)])
        // The decomposed upsert, the later one, set the route's geometry.
        #expect(try store.routes().routes[nfc]?.shape == meridian(nfd, lon: 68).shape)
    }

    /// A NUL inside an id used to cut it at binding, so two ids became one row.
    @Test func textWithANulIsKeptWholeAndRefusedAsAnId() throws {
        let path = temporaryStorePath()
        let store = try SQLiteStore(path: path, create: true)
        try store.upsert(routes: [meridian("a\u{0}x"), meridian("a\u{0}y", lon: 68)])
        #expect(try store.counts().routes == 2)
        let database = try SQLiteDatabase(path: path, create: false)
        #expect(try database.scalar("SELECT length(CAST(id AS BLOB)) FROM routes LIMIT 1").int == 3)
        // Read back, such an id is refused by row rather than passed on.
        #expect(throws: StoredValueError.self) { _ = try store.routes() }
    }

    /// Two batches on one store used to share a running run; the second is now refused.
    @Test func aSecondBatchOnTheStoreIsRefusedUntilTheFirstFinishes() throws {
        let path = temporaryStorePath()
        let first = try SQLiteStore(path: path, create: true)
        let second = try SQLiteStore(path: path)
        let request = RunRequest(asOf: asOf, window: .all, mode: .full, model: Model(),
                                 inputs: RunInputs(modelHash: "m", zonesHash: "z", incidentRevision: 0), startedAt: asOf)
        let opened = try first.openRun(request)
        let error = try #require(throws: StoreError.self) { _ = try second.openRun(request) }
        #expect(error.message.contains("another batch is running"))
        _ = try first.finishRun(opened.run.id, at: asOf)
        #expect(try second.openRun(request).resumed == false)
    }

    /// A damaged file is refused before a run starts.
    @Test func aDamagedStoreIsRefusedBeforeARun() throws {
        let path = temporaryStorePath()
        do {
            let store = try SQLiteStore(path: path, create: true)
            try store.upsert(routes: (0..<400).map { meridian("route-\($0)", lon: 60 + Double($0) / 100) })
            try SQLiteDatabase(path: path, create: false).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        // Overwrite the middle of the file (past the header and schema page) with garbage.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        handle.write(Data(repeating: 0xA5, count: 8_192))
        try handle.close()
        let store = try SQLiteStore(path: path)
        let request = RunRequest(asOf: asOf, window: .all, mode: .full, model: Model(),
                                 inputs: RunInputs(modelHash: "m", zonesHash: "z", incidentRevision: 0), startedAt: asOf)
        #expect(throws: (any Error).self) { _ = try store.openRun(request) }
    }
}

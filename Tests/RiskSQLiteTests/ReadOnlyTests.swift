import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing
@testable import RiskSQLite

/// A store opened read-only (`store status`, `store scores`) reads through SQLITE_OPEN_READONLY,
/// writes nothing and migrates nothing (issue 10, item 11).
@Suite struct ReadOnlyTests {
    /// The bytes of the file and its modification time.
    static func state(_ path: String) throws -> (Data, Date?) {
        (try Data(contentsOf: URL(fileURLWithPath: path)),
         try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    @Test func aReadOnlyStoreReadsAndSQLiteRefusesEveryWrite() throws {
        let path = temporaryStorePath()
        do {
            let store = try SQLiteStore(path: path, create: true)
            try store.upsert(routes: [meridian("r1")])
            try store.upsert(incidents: [Incident(id: "i1", location: Coordinate(67, 25), time: asOf, killed: 2, injured: 0)])
        }
        let before = try Self.state(path)
        let store = try SQLiteStore(path: path, readOnly: true)
        #expect(store.isReadOnly)
        #expect(try store.counts() == StoreCounts(incidents: 1, routes: 1))
        #expect(try store.version() == SQLiteStore.schemaVersion)
        #expect(throws: SQLiteError.self) { try store.setModel(Model()) }
        #expect(throws: SQLiteError.self) { try store.upsert(routes: [meridian("r2")]) }
        #expect(try store.counts().routes == 1)
        let after = try Self.state(path)
        #expect(after.0 == before.0 && after.1 == before.1)
        #expect(!(try SQLiteStore(path: path).isReadOnly))
    }

    @Test func anOlderSchemaIsNamedNotMigrated() throws {
        let path = temporaryStorePath()
        do {
            let database = try SQLiteDatabase(path: path, create: true)
            for migration in Schema.migrations.prefix(2) { try database.execute(migration) }
            try database.execute("PRAGMA user_version = 2")
        }
        let before = try Self.state(path)
        #expect {
            _ = try SQLiteStore(path: path, readOnly: true)
        } throws: { error in
            "\(error)".contains("schema version 2, older than this routerisk (\(SQLiteStore.schemaVersion))")
        }
        #expect(try Self.state(path).0 == before.0)
        #expect(try SQLiteDatabase(path: path, create: false).scalar("PRAGMA user_version").int == 2)
        // An SQLite file that no routerisk made (version 0) is not a store.
        let foreign = temporaryStorePath()
        do { try SQLiteDatabase(path: foreign, create: true).execute("CREATE TABLE notes (text TEXT)") }
        #expect { _ = try SQLiteStore(path: foreign, readOnly: true) } throws: { "\($0)".contains("not a routerisk store") }
    }
}

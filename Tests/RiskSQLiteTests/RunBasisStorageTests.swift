import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing
@testable import RiskSQLite

/// The SQLite store keeps each run's basis (issue 9) from schema 4 on.
@Suite struct RunBasisStorageTests {
    static let basis = RunBasis(incidents: 12, applicable: 10, decayed: 1, afterEvaluation: 1, earliest: asOf - 400 * 86_400,
                                latest: asOf - 86_400, departuresFrom: asOf, departuresTo: asOf + 3_600, zones: 3,
                                coverage: [.inside: 4, .outside: 1])

    static func request(_ basis: RunBasis) -> RunRequest {
        RunRequest(asOf: asOf, window: .all, mode: .full, model: Model(),
                   inputs: RunInputs(modelHash: "m", zonesHash: "z", incidentRevision: 0), startedAt: asOf, basis: basis)
    }

    @Test func runsRecordedBeforeSchema4HaveNoBasisAndNewOnesDo() async throws {
        let path = temporaryStorePath()
        do {
            // Schema version 3 with a finished run, as the previous routerisk left it.
            let database = try SQLiteDatabase(path: path, create: true)
            for migration in Schema.migrations.prefix(3) { try database.execute(migration) }
            try database.execute("PRAGMA user_version = 3")
            try database.run("""
                INSERT INTO runs (started_at, finished_at, as_of, window, model, model_hash, zones_hash, incident_revision, mode, status)
                VALUES (0, 1, 0, 'all', '{}', 'm', 'z', 0, 'full', 'completed')
                """)
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.version() == 4)
        #expect(try store.runs().map(\.basis) == [nil])
        let opened = try store.openRun(Self.request(Self.basis)).run
        #expect(try store.runs().map(\.basis) == [nil, Self.basis])
        _ = try store.finishRun(opened.id, at: asOf)

        // A copy carries both, the missing one as missing.
        let copy = try SQLiteStore(path: temporaryStorePath(), create: true)
        try copy.load(try await store.contents())
        #expect(try copy.runs().map(\.basis) == [nil, Self.basis])
    }
}

import Foundation
import RiskBatch
import Testing
@testable import RiskPostgres
@testable import RiskSQLite

/// Equal contents, hazard profiles compared bit for bit (they hold NaN, which equals nothing),
/// and the clock times a run started and finished to the microsecond, PostgreSQL's resolution
/// (every other time, the model's and the data's, round-trips exactly).
func same(_ a: StoreContents, _ b: StoreContents) -> Bool {
    func profiles(_ c: StoreContents) -> [[[UInt8]?]] { c.runs.map { $0.scores.map { $0.profile?.bytes } } }
    func clock(_ c: StoreContents) -> [[Double?]] {
        c.runs.map { [$0.record.startedAt.timeIntervalSince1970, $0.record.finishedAt?.timeIntervalSince1970] }
    }
    func rest(_ c: StoreContents) -> StoreContents {
        var copy = c
        for r in copy.runs.indices {
            copy.runs[r].record.startedAt = .distantPast
            copy.runs[r].record.finishedAt = copy.runs[r].record.finishedAt.map { _ in .distantPast }
            for s in copy.runs[r].scores.indices { copy.runs[r].scores[s].profile = nil }
        }
        return copy
    }
    let clocksAgree = zip(clock(a).joined(), clock(b).joined()).allSatisfy { x, y in
        x == nil ? y == nil : abs(x! - y!) <= 0.5e-6
    }
    return rest(a) == rest(b) && profiles(a) == profiles(b) && clocksAgree && clock(a).count == clock(b).count
}

/// `routerisk store copy` moves a team between the embedded store and the server without loss.
@Suite struct CopyTests {
    @Test func sqliteToPostgresAndBackLosesNothing() async throws {
        guard TestServer.available else { return }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = folder.appendingPathComponent("original.sqlite").path
        let back = folder.appendingPathComponent("back.sqlite").path
        let incidents = folder.appendingPathComponent("new.csv")
        try """
            id,date,lat,lon,killed,injured,category,target,description
            copy-karachi,2025-05-31,24.8900,67.1600,12,20,bombing,foreign nationals,"with a, comma"

            """.write(to: incidents, atomically: true, encoding: .utf8)
        func routerisk(_ arguments: String...) throws -> String {
            let run = try CommandLine_.run(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return run.stdout
        }
        // Two runs, the second incremental after a new incident: revisions, profiles, carried-forward scores.
        _ = try routerisk("store", "init", "--store", original)
        _ = try routerisk("batch", "--store", original, "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json")
        _ = try routerisk("store", "import", "incidents", incidents.path, "--store", original)
        _ = try routerisk("batch", "--store", original, "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json")

        try await TestServer.withDatabase("copy") { url in
            let there = try routerisk("store", "copy", "--from", original, "--to", url)
            #expect(there.contains("2 runs"), "\(there)")
            _ = try routerisk("store", "copy", "--from", url, "--to", back)

            let source = try await SQLiteStore(path: original).contents()
            let server = try await PostgresStore(url: url)
            let onServer = try await server.contents()
            let returned = try await SQLiteStore(path: back).contents()
            #expect(source.runs.count == 2 && source.incidentRevision == 2)
            #expect(source.runs[1].scores.contains { $0.profile != nil })
            // Every run keeps its basis (issue 9), which `same` compares with the rest.
            #expect(source.runs.allSatisfy { $0.record.basis != nil && $0.record.basis?.incidents ?? -1 > 0 })
            // Profiles hold NaN (no value at a zone edge), which equals nothing, so they compare as bytes.
            #expect(same(onServer, source), "SQLite -> PostgreSQL")
            #expect(same(returned, source), "SQLite -> PostgreSQL -> SQLite")

            // A copy only goes into an empty store.
            let refused = try CommandLine_.run(["store", "copy", "--from", original, "--to", url])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("not empty"), "\(refused.stderr)")

            // The next run on the copy is the run the original would have made.
            let next = ["batch", "--as-of", "2025-06-02T00:00:00Z", "--window", "7d", "--format", "json"]
            let onOriginal = try CommandLine_.run(next + ["--store", original])
            let onCopy = try CommandLine_.run(next + ["--store", url])
            #expect(onOriginal.status == 0 && onCopy.status == 0)
            #expect(onCopy.stdout == onOriginal.stdout)
            #expect(try await server.runs().last?.id == 3)
            await server.close()
        }
    }
}

import Foundation
import Geo
import RiskCore
import RiskSynth
import Testing
@testable import RiskSQLite

/// Issue 10: a batch over movements whose ids mix Unicode forms, killed with `kill -9` at 20
/// random points, then run to the end, scores exactly one per selected movement. (Before the
/// ids were normalised, a run ended "completed" with one movement fewer scored than selected.)
@Suite struct RepeatedKillTests {
    @Test func twentyKillsThenResumeScoreEachMovementOnce() throws {
        try #require(FileManager.default.isExecutableFile(atPath: CrashTests.executable.path))
        let path = temporaryStorePath()
        let count = 400
        let nfd = "e\u{301}", nfc = "\u{E9}"
        do {
            let store = try SQLiteStore(path: path, create: true)
            let synth = SyntheticPakistan(seed: 7)
            let routes = synth.routes(count: count, minKm: 100, maxKm: 200, departing: asOf...asOf.addingTimeInterval(86_400))
            // Routes stored under one form, movements naming them in the other; the movement ids
            // themselves alternate forms.
            try store.upsert(routes: routes.map { Route(id: "caf\(nfd)-\($0.id)", shape: $0.shape) })
            let movements = routes.enumerated().map { n, route in
                Movement(id: "m-caf\(n % 2 == 0 ? nfc : nfd)-\(n)", routeID: "caf\(nfc)-\(route.id)", departsAt: route.departsAt!)
            }
            #expect(try store.upsert(movements: movements).isEmpty)
            try store.upsert(incidents: synth.incidents(count: 1_500, end: asOf))
        }
        let arguments = ["batch", "--store", path, "--window", "2d", "--format", "json", "--transaction-size", "10",
                         "--as-of", "2025-06-01T00:00:00Z"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let process = Process()
            process.executableURL = CrashTests.executable
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 50_000...1_500_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let last = Process()
        last.executableURL = CrashTests.executable
        last.arguments = arguments
        last.standardOutput = FileHandle.nullDevice
        last.standardError = FileHandle.nullDevice
        try last.run()
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)

        let observer = try SQLiteDatabase(path: path, create: false)
        #expect(try observer.scalar("PRAGMA integrity_check").string == "ok")
        let completed = try observer.query("SELECT id, selected, scored, failed FROM runs WHERE status = 'completed'")
        #expect(completed.count == 1)
        let run = try #require(completed.first)
        #expect(run["selected"]?.int == Int64(count) && run["scored"]?.int == Int64(count) && run["failed"]?.int == 0)
        #expect(try observer.scalar("SELECT COUNT(*) FROM scores WHERE run_id = ?", run["id"]).int == Int64(count))
        #expect(try observer.scalar("SELECT COUNT(DISTINCT movement_id) FROM scores WHERE run_id = ?", run["id"]).int == Int64(count))
        #expect(try observer.scalar("SELECT COUNT(*) FROM movements").int == Int64(count))
    }
}

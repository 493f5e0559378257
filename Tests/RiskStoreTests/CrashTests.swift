import Foundation
import Geo
import RiskCore
import RiskSynth
import Testing
@testable import RiskSQLite

/// `kill -9` in the middle of a batch must leave the store consistent, and the next batch must
/// finish the interrupted run with exactly one score per movement.
@Suite struct CrashTests {
    /// The routerisk executable built beside this test bundle.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("routerisk")

    func batch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["batch"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedBatchResumesWithOneScorePerMovement() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build routerisk first: \(Self.executable.path)")
        let path = temporaryStorePath()
        let movementCount = 2_000
        do {
            let store = try SQLiteStore(path: path, create: true)
            let synth = SyntheticPakistan(seed: 99)
            let routes = synth.routes(count: movementCount, minKm: 100, maxKm: 250, departing: asOf...asOf.addingTimeInterval(86_400))
            try store.upsert(routes: routes)
            #expect(try store.upsert(movements: routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) }).isEmpty)
            try store.upsert(incidents: synth.incidents(count: 2_000, end: asOf))
        }
        let arguments = ["--store", path, "--window", "2d", "--format", "json", "--transaction-size", "100"]
        let first = try batch(arguments + ["--as-of", "2025-06-01T00:00:00Z"])
        let observer = try SQLiteDatabase(path: path, create: false)
        var scoredAtKill = 0
        let deadline = Date().addingTimeInterval(300)
        while first.isRunning && Date() < deadline {
            scoredAtKill = Int((try? observer.scalar("SELECT COUNT(*) FROM scores").int) ?? 0)
            if scoredAtKill >= 600 { break }
            usleep(20_000)
        }
        try #require(first.isRunning, "the batch finished before it could be killed; make the run larger")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)

        // Consistent: intact file, an unfinished run whose counters match its committed scores,
        // committed in whole transactions.
        #expect(try observer.scalar("PRAGMA integrity_check").string == "ok")
        let run = try observer.query("SELECT id, status, scored FROM runs")[0]
        let committed = Int(try #require(try observer.scalar("SELECT COUNT(*) FROM scores WHERE run_id = ?", run["id"]).int))
        #expect(run["status"]?.string == "running")
        #expect(run["scored"]?.int == Int64(committed))
        #expect(committed % 100 == 0 && committed >= 500 && committed < movementCount)
        print("killed the batch with \(committed) of \(movementCount) scores committed")

        let second = try batch(arguments)
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        let runs = try observer.query("SELECT id, status, scored, failed, selected FROM runs")
        #expect(runs.count == 1, "the interrupted run is resumed, not duplicated")
        #expect(runs[0]["status"]?.string == "completed")
        #expect(runs[0]["scored"]?.int == Int64(movementCount) && runs[0]["failed"]?.int == 0)
        #expect(try observer.scalar("SELECT COUNT(DISTINCT movement_id) FROM scores WHERE run_id = ?", run["id"]).int == Int64(movementCount))
        #expect(try observer.scalar("SELECT COUNT(*) FROM scores").int == Int64(movementCount))
    }
}

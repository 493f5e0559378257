import Foundation
import TestSupport
import PostgresNIO
import RiskBatch
import RiskCore
import RiskSynth
import Testing
@testable import RiskPostgres

/// `routerisk worker` processes sharing one run on the real server.
@Suite struct WorkerTests {
    let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

    func integers(_ session: PostgresSession, _ sql: String) async throws -> [Int] {
        try await session.query(.init(unsafeSQL: sql), "test query").map { Int(try $0.decode(Int64.self)) }
    }

    func worker(_ url: String, _ extra: [String] = []) throws -> Process {
        let process = CommandLine_.process(["worker", "--store", url, "--as-of", "2025-06-01T00:00:00Z", "--window", "2d",
                                            "--format", "json", "--jobs", "1"] + extra)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func waitForExit(_ processes: [Process], seconds: TimeInterval) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while processes.contains(where: \.isRunning) && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        for process in processes where process.isRunning { process.terminate() }
    }

    @Test func workersTogetherScoreWhatBatchScoresAlone() async throws {
        guard TestServer.available else { return }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("alone.sqlite").path
        try await TestServer.withDatabase("workers") { url in
            for store in [file, url] {
                let run = try CommandLine_.run(["store", "init", "--store", store])
                #expect(run.status == 0, "\(run.stderr)")
            }
            let arguments = ["--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json"]
            let alone = try CommandLine_.run(["batch", "--store", file] + arguments)
            // Two workers at once, chunks of 4: whichever finishes the run prints batch's summary.
            let processes = try (0..<2).map { _ -> (Process, Pipe) in
                let process = CommandLine_.process(["worker", "--store", url, "--chunk-size", "4", "--jobs", "1"] + arguments)
                let out = Pipe()
                process.standardOutput = out
                process.standardError = FileHandle.nullDevice
                try process.run()
                return (process, out)
            }
            let outputs = processes.map { String(decoding: $0.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
            try processes.forEach { try $0.0.waitUntilExit(timeout: 600) }
            #expect(processes.allSatisfy { $0.0.terminationStatus == 0 })
            #expect(outputs.filter { $0 == alone.stdout }.count == 1, "exactly one worker finished the run, with batch's summary")
            #expect(outputs.filter { $0.contains("another worker finished the run") }.count == 1)
        }
    }

    @Test func aWorkerKilledMidChunkLosesItsLeaseAndTheRunCompletesOnce() async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("workers") { url in
            let movementCount = 2_000
            let store = try await PostgresStore(url: url, create: true)
            let synth = SyntheticPakistan(seed: 7)
            let routes = synth.routes(count: movementCount, minKm: 60, maxKm: 160, departing: asOf...asOf.addingTimeInterval(86_400))
            try await store.upsert(routes: routes)
            #expect(try await store.upsert(movements: routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) })
                .isEmpty)
            try await store.upsert(incidents: synth.incidents(count: 1_000, end: asOf))
            let observer = store.session

            // Leases long enough never to expire here: only the dead connection can free the chunk.
            let extra = ["--chunk-size", "40", "--lease", "3600"]
            let workers = try (0..<3).map { _ in try worker(url, extra) }
            let victim = workers[0]
            let host = ProcessInfo.processInfo.hostName
            var held: Int?
            let deadline = Date().addingTimeInterval(300)
            while held == nil && victim.isRunning && Date() < deadline {
                let done = try await integers(observer, "SELECT count(*) FROM run_chunks WHERE status = 'done'").first ?? 0
                if done >= 3 {
                    held = try await integers(observer, """
                        SELECT chunk::int8 FROM run_chunks WHERE status = 'pending' AND leased_by = '\(host):\(victim.processIdentifier)'
                        """).first
                }
                if held == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let chunk = try #require(held, "the victim never held a chunk after three were done")
            kill(victim.processIdentifier, SIGKILL)
            try await waitForExit(workers, seconds: 600)
            #expect(victim.terminationReason == .uncaughtSignal)
            #expect(workers[1].terminationStatus == 0 && workers[2].terminationStatus == 0)

            // The run completed with exactly one score per movement, its counters matching.
            let runs = try await store.runs()
            #expect(runs.count == 1)
            #expect(runs.first?.status == .completed)
            #expect(runs.first?.counters == RunCounters(selected: movementCount, scored: movementCount, failed: 0,
                                                        recomputed: movementCount, reused: 0))
            #expect(try await integers(observer, "SELECT count(*) FROM scores") == [movementCount])
            #expect(try await integers(observer, "SELECT count(DISTINCT movement_id) FROM scores") == [movementCount])
            #expect(try await integers(observer, "SELECT count(*) FROM run_chunks WHERE status <> 'done'") == [0])
            // The victim's chunk was leased again and completed by a survivor.
            let retaken = try await integers(observer, """
                SELECT attempts::int8 FROM run_chunks WHERE chunk = \(chunk) AND done_by <> '\(host):\(victim.processIdentifier)'
                """)
            #expect(retaken.first.map { $0 >= 2 } == true, "chunk \(chunk): \(retaken)")
            // No connection leaked: only this test's own is left.
            let others = try await integers(observer, """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                """)
            #expect(others == [0])
            await store.close()
        }
    }
}

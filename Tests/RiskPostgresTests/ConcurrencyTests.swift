import Foundation
import TestSupport
import PostgresNIO
import RiskBatch
import RiskCore
import RiskSynth
import Testing
@testable import RiskPostgres

/// Planners and the server going about their business while a batch runs.
@Suite struct ConcurrencyTests {
    let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

    /// A store with synthetic movements departing within a day of `asOf`.
    func fill(_ url: String, movements: Int, incidents: Int, seed: UInt64) async throws -> PostgresStore {
        let store = try await PostgresStore(url: url, create: true)
        let synth = SyntheticPakistan(seed: seed)
        let routes = synth.routes(count: movements, minKm: 60, maxKm: 160, departing: asOf...asOf.addingTimeInterval(86_400))
        try await store.upsert(routes: routes)
        _ = try await store.upsert(movements: routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) })
        try await store.upsert(incidents: synth.incidents(count: incidents, end: asOf))
        return store
    }

    func count(_ store: PostgresStore, _ sql: String) async throws -> Int {
        Int(try await store.session.query(.init(unsafeSQL: sql), "test query")[0].decode(Int64.self))
    }

    func waitUntil(_ seconds: TimeInterval, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// `--transaction-size` last: workers take `--chunk-size` instead.
    static let batchArguments = ["--as-of", "2025-06-01T00:00:00Z", "--window", "2d", "--format", "json", "--jobs", "1",
                                 "--transaction-size", "50"]

    /// One batch at a time on a server store, or workers sharing a run, never both: the second
    /// batch would otherwise take the first's running run for an interrupted one and score it too.
    @Test func aSecondBatchIsRefusedWhileWorkersShareARun() async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("lock") { url in
            let first = try await PostgresStore(url: url, create: true)
            let second = try await PostgresStore(url: url)
            let third = try await PostgresStore(url: url)
            func request(shared: Bool) -> RunRequest {
                RunRequest(asOf: asOf, window: .all, mode: .full, model: Model(),
                           inputs: RunInputs(modelHash: "m", zonesHash: "z", incidentRevision: 0), startedAt: asOf, shared: shared)
            }
            let opened = try await first.openRun(request(shared: false))
            for shared in [false, true] {
                let refused = await #expect(throws: StoreError.self) { _ = try await second.openRun(request(shared: shared)) }
                #expect(refused?.message.contains("running on") == true, "\(String(describing: refused))")
            }
            _ = try await first.finishRun(opened.run.id, at: asOf)
            // Workers share: both join one run; a batch now waits for them.
            let joined = try await second.openRun(request(shared: true))
            #expect(try await third.openRun(request(shared: true)) == OpenedRun(run: joined.run, resumed: true))
            await #expect(throws: StoreError.self) { _ = try await first.openRun(request(shared: false)) }
            // A worker's connection gone (a killed process) frees the lock as soon as the server
            // has seen the connection close (its backend ends a moment later).
            await second.close()
            await third.close()
            var reopened: OpenedRun?
            let freed = try await waitUntil(60) {
                reopened = try? await first.openRun(request(shared: false))
                return reopened != nil
            }
            #expect(freed && reopened?.run.id == joined.run.id)
            await first.close()
        }
    }

    @Test func incidentsImportWhileABatchRunsAndTheNextRunTakesThemUp() async throws {
        guard TestServer.available else { return }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestServer.withDatabase("concurrent") { url in
            let store = try await fill(url, movements: 1_000, incidents: 1_000, seed: 11)
            let batch = CommandLine_.process(["batch", "--store", url] + Self.batchArguments)
            batch.standardOutput = FileHandle.nullDevice
            batch.standardError = FileHandle.nullDevice
            try batch.run()
            #expect(try await waitUntil(300) { try await count(store, "SELECT count(*) FROM scores") >= 100 })

            // A planner imports new incidents near Karachi and Quetta mid-run, without waiting for it.
            let file = folder.appendingPathComponent("new.csv")
            try """
                id,date,lat,lon,killed,injured,category
                mid-run-karachi,2025-05-31,24.8600,67.0100,9,14,bombing
                mid-run-quetta,2025-05-31,30.1800,66.9900,6,3,bombing

                """.write(to: file, atomically: true, encoding: .utf8)
            let imported = try CommandLine_.run(["store", "import", "incidents", file.path, "--store", url])
            #expect(imported.status == 0 && imported.stdout.contains("2 incidents added"), "\(imported.stderr)")
            #expect(batch.isRunning, "the import should finish while the batch is still running")
            #expect(try await waitUntil(600) { !batch.isRunning })
            #expect(batch.terminationStatus == 0)

            // The run scored its own snapshot (revision 1), once per movement; the next run adds
            // the two incidents where they reach and carries the rest forward.
            let first = try #require(try await store.runs().first)
            #expect(first.inputs.incidentRevision == 1 && first.counters.scored == 1_000)
            let second = try CommandLine_.run(["batch", "--store", url] + Self.batchArguments)
            #expect(second.status == 0, "\(second.stderr)")
            let runs = try await store.runs()
            #expect(runs.count == 2 && runs[1].inputs.incidentRevision == 2)
            #expect(runs[1].counters.scored == 1_000 && runs[1].counters.reused > 0 && runs[1].counters.recomputed > 0)
            #expect(try await count(store, "SELECT count(DISTINCT (run_id, movement_id)) FROM scores") == 2_000)
            await store.close()
        }
    }

    /// Stops this test's own server (other tests share the main one) in the middle of a batch and
    /// of a worker, then starts it again.
    @Test func losingTheServerMidRunIsAClearErrorAndTheRunResumes() async throws {
        guard TestServer.available else { return }
        let folder = URL(fileURLWithPath: "/tmp/routerisk-restart-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func cluster(_ action: String) throws {
            let script = CommandLine_.packageRoot.appendingPathComponent("Tests/tools/pg-cluster.sh")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script.path, action, folder.path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            try process.waitUntilExit(timeout: 600)
            #expect(process.terminationStatus == 0, "pg-cluster.sh \(action)")
        }
        try cluster("start")
        defer { try? cluster("stop") }
        let environment = try String(contentsOf: folder.appendingPathComponent("env"), encoding: .utf8)
        let url = try #require(environment.split(separator: "\n").first { $0.contains("ROUTERISK_TEST_POSTGRES=") }
            .map { String($0.split(separator: "'")[1]) })

        var store = try await fill(url, movements: 1_000, incidents: 1_000, seed: 13)
        let movements = 1_000
        // The worker's run is --full: carried forward from the batch's, it would end too soon.
        for command in ["batch", "worker"] {
            let common = Array(Self.batchArguments.dropLast(2))  // all but --transaction-size
            let arguments = [command, "--store", url] + common
                + (command == "worker" ? ["--chunk-size", "50", "--full"] : ["--transaction-size", "50"])
            let process = CommandLine_.process(arguments)
            let errors = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            let start = try await count(store, "SELECT count(*) FROM scores")
            #expect(try await waitUntil(300) { try await count(store, "SELECT count(*) FROM scores") >= start + 150 })
            await store.close()
            try cluster("halt")
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            try process.waitUntilExit(timeout: 600)
            // The server is gone: unreachable (4), and the message says so.
            #expect(process.terminationStatus == 4, "\(command): \(message)")
            #expect(message.contains("connection to the server is lost"), "\(command): \(message)")
            try cluster("resume")

            // Again after the restart: the interrupted run resumes and completes, nothing doubled.
            let again = try CommandLine_.run(arguments)
            #expect(again.status == 0, "\(command) again: \(again.stderr)")
            store = try await PostgresStore(url: url)
            let runs = try await store.runs()
            #expect(runs.last?.status == .completed && runs.last?.counters.scored == movements)
            #expect(try await count(store, "SELECT count(*) FROM scores WHERE run_id = (SELECT max(id) FROM runs)") == movements)
        }
        #expect(try await store.runs().count == 2, "one run per command, each resumed rather than restarted")
        await store.close()
    }
}

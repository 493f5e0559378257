import Foundation
import TestSupport
import Geo
import Testing

/// Runs the built `routerisk`, as a planner would.
struct CommandLine_ {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("routerisk")

    /// The environment every child runs in: no colour, and no store from the caller's shell.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "ROUTERISK_STORE")
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// A child the test starts and stops itself (workers it kills mid-run).
    static func process(_ arguments: [String], environment extra: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.environment = environment(extra)
        return process
    }

    /// Runs routerisk to the end; a child still running after ten minutes fails the test.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildRun {
        try runChild(executable, arguments, in: packageRoot, environment: environment(extra), timeout: 600)
    }
}

func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-pg-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Every store command on the server does what it does on an SQLite file: the same output, number
/// for number.
@Suite struct CommandTests {
    @Test func everyStoreCommandBehavesAsOnSQLite() async throws {
        guard TestServer.available else { return }
        try #require(FileManager.default.isExecutableFile(atPath: CommandLine_.executable.path), "build routerisk first")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // An incident near Karachi after the first run, for the second run's escalations.
        let incidents = folder.appendingPathComponent("new.csv")
        try """
            id,date,lat,lon,killed,injured,category,target
            test-karachi-blast,2025-05-31,24.8900,67.1600,12,20,bombing,foreign nationals
            test-gwadar-attack,2025-05-31,25.1300,62.3300,5,2,armed attack,police

            """.write(to: incidents, atomically: true, encoding: .utf8)

        try await TestServer.withDatabase("cli") { url in
            var outputs: [[String]] = []
            for store in [folder.appendingPathComponent("store.sqlite").path, url] {
                func routerisk(_ arguments: String...) throws -> String {
                    let run = try CommandLine_.run(arguments + ["--store", store])
                    #expect(run.status == 0, "\(arguments): \(run.stderr)")
                    return run.stdout
                }
                _ = try routerisk("store", "init")
                let first = try routerisk("batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json")
                let imported = try routerisk("store", "import", "incidents", incidents.path)
                let second = try routerisk("batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json")
                let scores = try routerisk("store", "scores", "--format", "json")
                let csv = try routerisk("store", "scores", "--run", "1", "--format", "csv")
                outputs.append([first, imported, second, scores, csv])
            }
            #expect(outputs[0] == outputs[1])
            // The second run carried scores forward and updated those the new incidents reach.
            let second = try JSONValue.parse(outputs[1][2])
            #expect(second["run"]?["id"] == 2)
            #expect(second["escalations"]?.arrayValue?.isEmpty == false)
            #expect(outputs[1][1].contains("2 incidents added"))

            // ROUTERISK_STORE names the server when --store is absent; status shows it without password.
            let status = try CommandLine_.run(["store", "status"], environment: ["ROUTERISK_STORE": url])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("store postgres://"), "\(status.stdout)")
            #expect(status.stdout.contains("run 2: completed, incremental"), "\(status.stdout)")
        }
    }

    @Test func aServerStoreThatIsMissingOrUnreachableIsAClearError() async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("cli") { url in
            // No store in the database yet.
            let missing = try CommandLine_.run(["store", "status", "--store", url])
            #expect(missing.status == 4, "\(missing.stderr)")
            #expect(missing.stderr.contains("routerisk store init --store"), "\(missing.stderr)")
            let batch = try CommandLine_.run(["batch", "--store", url])
            #expect(batch.status == 4, "\(batch.stderr)")
        }
        // A server that is not there: unreachable (4), naming the server and never the password.
        let nowhere = try CommandLine_.run(["batch", "--store", "postgres://ops:Sup3rSecret@127.0.0.1:1/risk"])
        #expect(nowhere.status == 4)
        #expect(nowhere.stderr.contains("postgres://ops@127.0.0.1:1/risk"), "\(nowhere.stderr)")
        #expect(!nowhere.stderr.contains("Sup3rSecret"))
    }
}

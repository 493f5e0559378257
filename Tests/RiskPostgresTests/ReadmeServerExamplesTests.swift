import Foundation
import TestSupport
import Testing

/// The README's PostgreSQL block, run line by line by the shell as written, with only the
/// server's URL replaced by a fresh database of the test cluster.
@Suite struct ReadmeServerExamplesTests {
    /// The lines of the first `sh` block after `marker`, continuation lines joined.
    static func block(after marker: String) throws -> [String] {
        let readme = try String(contentsOf: CommandLine_.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: marker), "README has no \"\(marker)\"")
        let open = try #require(readme.range(of: "```sh\n", range: start.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```\n", range: open.upperBound..<readme.endIndex))
        return readme[open.upperBound..<close.lowerBound].replacingOccurrences(of: "\\\n", with: " ")
            .split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    @Test func theServerExamplesRunAsWritten() async throws {
        guard TestServer.available else { return }
        let lines = try Self.block(after: "A team that outgrows one machine")
        let export = try #require(lines.first, "the block is empty")
        #expect(export.hasPrefix("export ROUTERISK_STORE=") && lines.dropFirst().allSatisfy { $0.hasPrefix("routerisk ") }, "\(lines)")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // "The folder above": the SQLite store the main examples made.
        let store = folder.appendingPathComponent("ops.sqlite").path
        for arguments in [["store", "init", "--store", store],
                          ["batch", "--store", store, "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json"]] {
            let run = try CommandLine_.run(arguments)
            try #require(run.status == 0, "\(arguments): \(run.stderr)")
        }
        try await TestServer.withDatabase("readme") { url in
            // The example's URL is the team's; here it is the test cluster's fresh database.
            let script = (["export ROUTERISK_STORE='\(url)'"] + lines.dropFirst()).joined(separator: "\n")
            var environment = CommandLine_.environment([:])
            environment["PATH"] = CommandLine_.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let run = try runChild(URL(fileURLWithPath: "/bin/sh"), ["-e", "-c", script], in: folder, environment: environment, timeout: 600)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("copied to"), "\(run.stdout)")
            #expect(run.stdout.contains("63 movements"), "the copy holds the demo movements: \(run.stdout)")
            // The status lists the copied run and the worker's; the CSV has a header line.
            #expect(run.stdout.contains("run 1: completed"), "\(run.stdout)")
            #expect(run.stdout.contains("run 2: completed"), "\(run.stdout)")
            #expect(run.stdout.contains("movement_id,"), "\(run.stdout)")
        }
    }
}

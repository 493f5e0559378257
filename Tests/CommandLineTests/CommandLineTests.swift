import Foundation
import Geo
import Testing
@testable import RiskSQLite

/// The `routerisk` executable end to end, on the bundled data.
@Suite struct CommandLineTests {
    /// A store path in a fresh folder of its own.
    func temporaryStorePath() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("store.sqlite").path
    }

    /// `routerisk arguments` run in the package's root, with the bundled data beside it.
    func routerisk(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        try RouteRiskCommand.run(arguments, in: RouteRiskCommand.packageRoot, sourceLocation: sourceLocation)
    }

    @Test func scoreRanksTheBundledDemoInTheSpecsJSON() throws {
        let run = try routerisk(["score", "--as-of", "2025-06-01T00:00:00Z", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let value = try JSONValue.parse(run.stdout)
        let routes = try #require(value["routes"]?.arrayValue)
        #expect(routes.count >= 10)
        let exposures = routes.compactMap { $0["exposure"]?.numberValue }
        #expect(exposures == exposures.sorted(by: >))
        #expect(routes.map { $0["rank"]?.numberValue ?? 0 } == (1...routes.count).map(Double.init))
        #expect(value["model"]?["sigma_km"] == 10)
        // The Karachi airport route's leading incident is the October 2024 airport bombing.
        let airport = try #require(routes.first { $0["id"] == "karachi-airport-port-qasim-n5" })
        #expect(airport["top_incidents"]?.arrayValue?.first?["id"] == "2024-10-06-karachi-airport")
        #expect(airport["zones"]?.arrayValue?.contains { $0["id"] == "airport-karachi-jinnah" } == true)
    }

    @Test func everyFormatWritesOnlyItsOutputToStdout() throws {
        let csv = try routerisk(["score", "--as-of", "2025-06-01", "--format", "csv", "--top", "3"])
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 4)
        let geojson = try routerisk(["score", "--as-of", "2025-06-01", "--format", "geojson"])
        #expect(try JSONValue.parse(geojson.stdout)["type"] == "FeatureCollection")
        let table = try routerisk(["score", "--as-of", "2025-06-01", "--format", "table", "--explain"])
        #expect(table.stdout.contains("zones: ") && !table.stdout.contains("\u{1B}["))
    }

    @Test func badInputsExitNonZeroNamingTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rr-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = folder.appendingPathComponent("model.json")
        try #"{"sigma_km": -3}"#.write(to: model, atomically: true, encoding: .utf8)
        let badModel = try routerisk(["score", "--model", model.path])
        #expect(badModel.status != 0)
        #expect(badModel.stderr.contains("model.json") && badModel.stderr.contains("sigma_km"))
        let missing = try routerisk(["score", folder.appendingPathComponent("nope.geojson").path])
        #expect(missing.status != 0 && missing.stderr.contains("nope.geojson"))
        let strict = folder.appendingPathComponent("incidents.csv")
        try "id,date,lat,lon\na,2024-01-01,24.9,67.1\nb,2024-01-02,abc,67.1\n".write(to: strict, atomically: true, encoding: .utf8)
        let lenient = try routerisk(["score", "--incidents", strict.path, "--format", "json"])
        #expect(lenient.status == 0 && lenient.stderr.contains("line 3") && lenient.stderr.contains("lat"))
        #expect(try routerisk(["score", "--incidents", strict.path, "--strict"]).status != 0)
    }

    /// The scoring request's range checks, reported as usage errors (exit status 2) under the options' names.
    @Test func outOfRangeOptionsAreUsageErrors() throws {
        let top = try routerisk(["score", "--top", "0"])
        #expect(top.status == 2 && top.stderr.contains("--top must be at least 1"))
        let jobs = try routerisk(["score", "--jobs", "0"])
        #expect(jobs.status == 2 && jobs.stderr.contains("--jobs must be at least 1"))
    }

    @Test func batchExitStatusesTellTheCasesApart() throws {
        let path = try temporaryStorePath()
        #expect(try routerisk(["batch", "--store", path]).status == 4, "no store: unreachable")
        #expect(try routerisk(["store", "init", "--store", path]).status == 0)
        let week = ["--store", path, "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json"]
        let good = try routerisk(["batch"] + week)
        #expect(good.status == 0, "\(good.stderr)")
        let outcome = try JSONValue.parse(good.stdout)
        #expect(outcome.objectMembers?.map(\.key) == ["run", "bands", "escalations", "riskiest", "failed"])
        #expect(outcome["run"]?.objectMembers?.map(\.key) == ["id", "as_of", "status", "scored", "failed", "basis"])
        #expect(outcome["riskiest"]?.arrayValue?.count == 10)
        // Break one route: its movements fail by id, the rest are scored, and the status says so.
        try SQLiteDatabase(path: path, create: false).run("UPDATE routes SET geometry = ? WHERE id = 'gwadar-turbat-m8'", #"{"type":"LineString","coordinates":[[62,25],[62,99]]}"#)
        let partial = try routerisk(["batch"] + week)
        #expect(partial.status == 3)
        let failed = try #require(try JSONValue.parse(partial.stdout)["failed"]?.arrayValue)
        #expect(!failed.isEmpty && failed.allSatisfy { ($0["reason"]?.stringValue ?? "").contains("gwadar-turbat-m8") })
        let scores = try routerisk(["store", "scores", "--store", path, "--format", "json"])
        let listed = try #require(try JSONValue.parse(scores.stdout)["scores"]?.arrayValue)
        #expect(listed.first?.objectMembers?.prefix(2).map(\.key) == ["movement_id", "route_id"])
        #expect(try routerisk(["batch", "--store", path, "--window", "fortnight"]).status == 2)
    }
}

import Foundation
import Testing

/// `routerisk score` says what its answers rest on and never prints a silent LOW (issue 9).
extension CommandLineTests {
    static let pakistanFile: String? = [RouteRiskCommand.packageRoot.deletingLastPathComponent(), RouteRiskCommand.packageRoot.deletingLastPathComponent().deletingLastPathComponent()]
        .map { $0.appendingPathComponent("shared/data/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv").path }
        .first { FileManager.default.fileExists(atPath: $0) }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.enabled(if: pakistanFile != nil, "skipped: ../shared/data/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv is not present"))
    func theREADMEsPakistanFileAt2025FailsWithTheReasonUnlessAllowed() throws {
        let file = try #require(Self.pakistanFile)
        let run = try routerisk(["score", "--incidents", file, "--as-of", "2025-06-01", "--format", "json"])
        #expect(run.status != 0)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("no incident applies"), "\(run.stderr)")
        #expect(run.stderr.contains("had decayed below min_decay 0.01"), "\(run.stderr)")
        #expect(run.stderr.contains("to 2017-11-"), "\(run.stderr)")
        #expect(run.stderr.contains("--allow-empty"), "\(run.stderr)")

        let allowed = try routerisk(["score", "--incidents", file, "--as-of", "2025-06-01", "--format", "json", "--allow-empty"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        try expectValid(allowed.stdout, against: "score.schema.json")
        let incidents = try #require(try object(allowed.stdout)["basis"].flatMap { ($0 as? [String: Any])?["incidents"] as? [String: Any] })
        #expect(incidents["applicable"] as? Int == 0)
        #expect(incidents["decayed"] as? Int == incidents["used"] as? Int)
        #expect((incidents["rejected"] as? Int ?? 0) > 0)

        // At the file's own time the same command scores on its incidents.
        let inTime = try routerisk(["score", "--incidents", file, "--as-of", "2017-12-01", "--format", "json"])
        #expect(inTime.status == 0, "\(inTime.stderr)")
    }

    @Test func routesOutsidePakistanAreNeverAPlainLow() throws {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", routesGeoJSON([
            (id: "nairobi-thika", line: [LonLat(36.82, -1.29), LonLat(37.07, -1.04)]),
            (id: "kashgar-tashkurgan", line: [LonLat(75.99, 39.47), LonLat(75.23, 37.77)]),
            (id: "kabul-torkham", line: [LonLat(69.18, 34.53), LonLat(70.45, 34.43), LonLat(71.10, 34.12)]),
            (id: "karachi-hub", line: [LonLat(67.01, 24.86), LonLat(66.82, 25.05)]),
        ]))
        let table = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01", "--format", "table"],
                                          environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        #expect(table.status == 0, "\(table.stderr)")
        func row(_ id: String) -> String { table.stdout.split(separator: "\n").map(String.init).first { $0.contains(" \(id) ") } ?? "" }
        #expect(row("nairobi-thika").contains("LOW (outside the data)"), "\(table.stdout)")
        #expect(row("kashgar-tashkurgan").contains("LOW (outside the data)"), "\(table.stdout)")
        #expect(row("kabul-torkham").contains("(data cover "), "\(table.stdout)")
        #expect(row("karachi-hub").contains("MODERATE  "), "\(table.stdout)")  // inside: the band alone
        #expect(table.stdout.contains("coverage: 1 inside, 1 partly, 2 outside"), "\(table.stdout)")

        let json = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01", "--format", "json"],
                                         environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        try expectValid(json.stdout, against: "score.schema.json")
        let routes = try #require(try object(json.stdout)["routes"] as? [[String: Any]])
        var verdicts: [String: String] = [:]
        for route in routes { verdicts[route["id"] as! String] = (route["coverage"] as? [String: Any])?["verdict"] as? String }
        #expect(verdicts == ["nairobi-thika": "outside", "kashgar-tashkurgan": "outside", "kabul-torkham": "partly", "karachi-hub": "inside"])
        let csv = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01", "--format", "csv"],
                                        environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        #expect(csv.stdout.split(separator: "\n").first?.hasSuffix(",coverage,covered_fraction") == true)
        #expect(csv.stdout.contains(",outside,0\n"), "\(csv.stdout)")
    }

    @Test func theBasisNamesTheFilesTheCountsAndTheModel() throws {
        let scratch = try Scratch()
        let incidents = incidentsCSV([(id: "a", date: "2025-01-01", at: LonLat(67, 25), killed: 3, injured: 1),
                                      (id: "b", date: "2024-12-01", at: LonLat(67.1, 25.2), killed: 0, injured: 2)])
        try scratch.write("a.csv", incidents)
        try scratch.write("b.csv", incidents + "1,2025-01-02\n")  // the same two again, and one bad row
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r", line: [LonLat(67, 24.6), LonLat(67, 25.4)])]))
        let model = "{\"score_scale\": 100}\n"
        try scratch.write("model.json", model)
        let once = try scratch.routerisk(["score", "routes.geojson", "--incidents", "a.csv", "--model", "model.json",
                                          "--as-of", "2025-06-01", "--format", "json"], environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        let twice = try scratch.routerisk(["score", "routes.geojson", "--incidents", "a.csv", "--incidents", "b.csv", "--model", "model.json",
                                           "--as-of", "2025-06-01", "--format", "json"], environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        #expect(twice.status == 0, "\(twice.stderr)")
        try expectValid(twice.stdout, against: "score.schema.json")
        let basis = try #require(try object(twice.stdout)["basis"] as? [String: Any])
        let files = try #require(basis["incident_files"] as? [[String: Any]])
        #expect(files.map { $0["name"] as? String } == ["a.csv", "b.csv"])
        #expect(files.map { $0["incidents"] as? Int } == [2, 2])
        #expect(files.map { $0["rejected"] as? Int } == [0, 1])
        let counts = try #require(basis["incidents"] as? [String: Any])
        #expect(counts["duplicates_merged"] as? Int == 2)
        #expect(counts["used"] as? Int == 2)
        #expect(counts["earliest"] as? String == "2024-12-01T00:00:00Z")
        #expect(counts["latest"] as? String == "2025-01-01T00:00:00Z")
        #expect(basis["model_file"] as? String == "model.json")
        // FNV-1a 64 of the model's bytes, computed here: offset basis, xor, multiply by the prime.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in model.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        #expect(basis["model_hash"] as? String == String(hash, radix: 16))
        // Merged, the answer is the one-file answer.
        func exposure(_ text: String) throws -> Double? {
            (try object(text)["routes"] as? [[String: Any]])?.first?["exposure"] as? Double
        }
        #expect(try exposure(twice.stdout) == exposure(once.stdout))
        #expect(twice.stderr.contains("merged 2 duplicate incident(s)"), "\(twice.stderr)")
        // The leading incident is named by date, category and casualties in JSON.
        let top = try #require(((try object(twice.stdout)["routes"] as? [[String: Any]])?.first?["top_incidents"] as? [[String: Any]])?.first)
        #expect(top["date"] as? String == "2025-01-01")
        #expect(top["killed"] as? Double == 3)
        // And in the table, by date, category (none: "incident"), casualties and place.
        let table = try scratch.routerisk(["score", "routes.geojson", "--incidents", "a.csv", "--model", "model.json",
                                           "--as-of", "2025-06-01", "--format", "table", "--explain"],
                                          environment: ["ROUTERISK_HOME": RouteRiskCommand.packageRoot.path])
        #expect(table.stdout.contains("2025-01-01 incident, 3 killed, 1 injured, at 25.0000 N 67.0000 E"), "\(table.stdout)")
        #expect(table.stdout.contains("Based on a.csv (2 incidents, 0 rejected)"), "\(table.stdout)")
    }
}

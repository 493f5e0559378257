import Foundation
import Testing

/// `routerisk store` and the exit statuses of `batch`, through the built binary.
@Suite struct StoreCommandTests {
    static let asOf = "2025-06-01T00:00:00Z"

    /// The counts line of `store status`: `zones Z, incidents I, routes R, movements M (S scheduled)`.
    static func counts(_ status: CommandRun) -> [String: Int] {
        guard let line = status.stdout.split(separator: "\n").first(where: { $0.contains("incidents ") }) else { return [:] }
        let words = line.replacingOccurrences(of: ",", with: " ").replacingOccurrences(of: "(", with: " ")
            .split(separator: " ").map(String.init)
        var counts: [String: Int] = [:]
        for (name, value) in zip(words, words.dropFirst()) {
            if let n = Int(value), ["zones", "incidents", "routes", "movements"].contains(name) { counts[name] = n }
            if let n = Int(name), value == "scheduled)" || value == "scheduled" { counts["scheduled"] = n }
        }
        return counts
    }

    @Test func initImportAndStatusCount() throws {
        let scratch = try Scratch()
        let store = ["--store", "ops.sqlite"]
        let created = try scratch.routerisk(["store", "init", "--empty"] + store)
        #expect(created.status == 0, "\(created.stderr)")
        let empty = try scratch.routerisk(["store", "status"] + store)
        #expect(Self.counts(empty) == ["zones": 0, "incidents": 0, "routes": 0, "movements": 0, "scheduled": 0], "\(empty.stdout)")
        #expect(empty.stdout.contains("no runs yet"))

        #expect(try scratch.routerisk(["generate", "--out", "gen", "--movements", "12", "--incidents", "150", "--seed", "3"]).status == 0)
        try scratch.write("zones.geojson", zonesGeoJSON([
            ZoneBox(id: "north", west: 70, south: 31, east: 75, north: 36, base: 0.1, multiplier: 1.5),
            ZoneBox(id: "south", west: 62, south: 24, east: 70, north: 28, base: 0.05, multiplier: 1),
        ]))
        let imports = [
            (["routes", "gen/routes.geojson"], "12 routes imported"),
            (["movements", "gen/movements.csv"], "12 movements imported"),
            (["incidents", "gen/incidents.csv"], "150 incidents added, 0 changed"),
            (["zones", "zones.geojson"], "2 zones imported"),
        ]
        for (arguments, summary) in imports {
            let run = try scratch.routerisk(["store", "import"] + arguments + store)
            #expect(run.status == 0 && run.stdout == summary + "\n", "\(arguments): \(run.stdout) \(run.stderr)")
        }
        // The same incidents again change nothing; one with new casualties is changed; a new id is added.
        let again = try scratch.routerisk(["store", "import", "incidents", "gen/incidents.csv"] + store)
        #expect(again.stdout == "0 incidents added, 0 changed\n")
        try scratch.write("more.csv", incidentsCSV([
            (id: "syn-1", date: "2024-01-01", at: LonLat(67, 25), killed: 99, injured: 0),
            (id: "brand-new", date: "2024-01-02", at: LonLat(67.1, 25.1), killed: 1, injured: 2),
        ]))
        #expect(try scratch.routerisk(["store", "import", "incidents", "more.csv"] + store).stdout == "1 incidents added, 1 changed\n")
        // A movement on a route the store does not have is refused by id; one cancelled one is kept.
        try scratch.write("moves.csv", """
            id,route_id,departs_at,status,labels
            lost,no-such-route,2025-06-01T10:00:00Z,scheduled,
            stood-down,route-1,2025-06-01T11:00:00Z,cancelled,
            """)
        let moves = try scratch.routerisk(["store", "import", "movements", "moves.csv"] + store)
        #expect(moves.status == 0 && moves.stdout.hasPrefix("1 movements imported, 1 refused"), "\(moves.stdout)")
        #expect(moves.stderr.contains("lost") && moves.stderr.contains("no-such-route"))

        let status = try scratch.routerisk(["store", "status"] + store)
        #expect(Self.counts(status) == ["zones": 2, "incidents": 151, "routes": 12, "movements": 13, "scheduled": 12], "\(status.stdout)")
        let batch = try scratch.routerisk(["batch", "--as-of", Self.asOf, "--window", "all", "--format", "json"] + store)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(try decode(BatchOutput.self, batch).run.scored == 12)
        let after = try scratch.routerisk(["store", "status"] + store)
        #expect(after.stdout.contains("run 1: completed, incremental") && after.stdout.contains("12/12 scored"), "\(after.stdout)")
    }

    @Test func initWithTheBundledDataCountsEveryBundledRecord() throws {
        let scratch = try Scratch()
        let run = try scratch.routerisk(["store", "init", "--store", "bundled.sqlite"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "the bundled data loads without warnings: \(run.stderr)")
        // Every record of the bundled files, counted here from the files themselves.
        let root = RouteRiskCommand.packageRoot
        func features(in folder: String) throws -> Int {
            struct Collection: Decodable {
                struct Feature: Decodable {}
                var features: [Feature]
            }
            let directory = root.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".geojson") }
                .reduce(0) { sum, name in
                    let data = try Data(contentsOf: directory.appendingPathComponent(name))
                    return sum + (try JSONDecoder().decode(Collection.self, from: data).features.count)
                }
        }
        func rows(_ file: String) throws -> Int {
            csvRecordCount(String(decoding: try Data(contentsOf: root.appendingPathComponent(file)), as: UTF8.self)) - 1
        }
        let expected = ["zones": try features(in: "data/zones"), "routes": try features(in: "data/routes"),
                        "incidents": try rows("seeds/incidents.csv"), "movements": try rows("data/movements.csv")]
        #expect(run.stdout.contains("\(expected["zones"]!) zones, \(expected["routes"]!) routes, \(expected["incidents"]!) incidents, "
                                    + "\(expected["movements"]!) movements"), "\(run.stdout) vs \(expected)")
        var counts = Self.counts(try scratch.routerisk(["store", "status", "--store", "bundled.sqlite"]))
        counts["scheduled"] = nil
        #expect(counts == expected)
    }

    @Test func theStoreComesFromTheEnvironmentWhenNotGiven() throws {
        let scratch = try Scratch()
        let environment = ["ROUTERISK_STORE": scratch.path("from-env.sqlite")]
        let created = try scratch.routerisk(["store", "init", "--empty"], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("from-env.sqlite")))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("routerisk.sqlite")))
        let status = try scratch.routerisk(["store", "status"], environment: environment)
        #expect(status.status == 0 && status.stdout.hasPrefix("store \(scratch.path("from-env.sqlite")) "), "\(status.stdout)")
        try scratch.write("incidents.csv", incidentsCSV([(id: "a", date: "2024-05-01", at: LonLat(67, 25), killed: 1, injured: 0)]))
        #expect(try scratch.routerisk(["store", "import", "incidents", "incidents.csv"], environment: environment).status == 0)
        #expect(Self.counts(try scratch.routerisk(["store", "status"], environment: environment))["incidents"] == 1)
        // --store wins over the environment.
        #expect(try scratch.routerisk(["store", "init", "--empty", "--store", "given.sqlite"], environment: environment).status == 0)
        let given = try scratch.routerisk(["store", "status", "--store", "given.sqlite"], environment: environment)
        #expect(Self.counts(given)["incidents"] == 0, "\(given.stdout)")
        // Without either, the default store is routerisk.sqlite in the working folder, which is not there.
        let neither = try scratch.routerisk(["store", "status"])
        #expect(neither.status != 0 && neither.stderr.contains("routerisk.sqlite"), "\(neither.stderr)")
    }

    @Test func batchExitStatuses() throws {
        let scratch = try Scratch()
        let store = ["--store", "ops.sqlite"]
        var window = ["--as-of", Self.asOf, "--window", "7d", "--format", "json"]
        let missing = try scratch.routerisk(["batch"] + store + window)
        #expect(missing.status == 4 && missing.stderr.contains("ops.sqlite"), "no store (unreachable): \(missing.status) \(missing.stderr)")

        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        try scratch.write("routes.geojson", routesGeoJSON([
            (id: "road", line: [LonLat(67, 25), LonLat(67, 26)]),
            // Ends at the south pole, which the working projection (a conic on Pakistan) cannot hold.
            (id: "pole", line: [LonLat(64, -89.5), LonLat(64, -90)]),
        ]))
        try scratch.write("moves.csv", """
            id,route_id,departs_at,status,labels
            on-road,road,2025-06-02T06:00:00Z,scheduled,
            """)
        #expect(try scratch.routerisk(["store", "import", "routes", "routes.geojson"] + store).status == 0)
        #expect(try scratch.routerisk(["store", "import", "movements", "moves.csv"] + store).status == 0)
        // An empty store has no incident: the run cannot happen unless allowed (issue 9).
        let nothing = try scratch.routerisk(["batch"] + store + window)
        #expect(nothing.status == 2 && nothing.stderr.contains("no stored incident applies"), "\(nothing.status) \(nothing.stderr)")
        window.append("--allow-empty")
        let good = try scratch.routerisk(["batch"] + store + window)
        #expect(good.status == 0, "all scored: \(good.stderr)")
        let outcome = try decode(BatchOutput.self, good)
        #expect(outcome.run.scored == 1 && outcome.failed.isEmpty)

        try scratch.write("pole.csv", """
            id,route_id,departs_at,status,labels
            to-pole,pole,2025-06-02T07:00:00Z,scheduled,
            """)
        #expect(try scratch.routerisk(["store", "import", "movements", "pole.csv"] + store).status == 0)
        let partial = try scratch.routerisk(["batch"] + store + window)
        #expect(partial.status == 3, "some failed: \(partial.status) \(partial.stderr)")
        let failed = try decode(BatchOutput.self, partial)
        #expect(failed.run.scored == 1 && failed.run.failed == 1 && failed.run.status == "completed")
        #expect(failed.failed.map(\.movementId) == ["to-pole"] && failed.failed[0].reason.contains("pole"))

        try scratch.write("bad-model.json", #"{"half_life_days": 0}"#)
        let badModel = try scratch.routerisk(["batch", "--model", "bad-model.json"] + store + window)
        #expect(badModel.status == 1 && badModel.stderr.contains("half_life_days"), "invalid model (bad input): \(badModel.stderr)")
        #expect(try scratch.routerisk(["batch", "--window", "fortnight"] + store).status == 2, "invalid window")
        #expect(try scratch.routerisk(["batch", "--transaction-size", "0"] + store + window).status == 2, "invalid option")
    }

    @Test func missingFilesExitNonZeroNamingThem() throws {
        let scratch = try Scratch()
        let score = try scratch.routerisk(["score", "nowhere.geojson", "--as-of", Self.asOf])
        #expect(score.status != 0 && score.stderr.contains("nowhere.geojson"), "\(score.stderr)")
        let incidents = try scratch.routerisk(["score", "--incidents", "no-incidents.csv", "--as-of", Self.asOf])
        #expect(incidents.status != 0 && incidents.stderr.contains("no-incidents.csv"), "\(incidents.stderr)")
        let model = try scratch.routerisk(["score", "--model", "no-model.json", "--as-of", Self.asOf])
        #expect(model.status != 0 && model.stderr.contains("no-model.json"), "\(model.stderr)")
        #expect(try scratch.routerisk(["store", "init", "--empty", "--store", "s.sqlite"]).status == 0)
        let imported = try scratch.routerisk(["store", "import", "incidents", "gone.csv", "--store", "s.sqlite"])
        #expect(imported.status != 0 && imported.stderr.contains("gone.csv"), "\(imported.stderr)")
        let batchModel = try scratch.routerisk(["batch", "--model", "no-model.json", "--store", "s.sqlite", "--as-of", Self.asOf])
        #expect(batchModel.status == 1 && batchModel.stderr.contains("no-model.json"), "\(batchModel.stderr)")
    }
}

import Foundation
import Testing

/// `store import` that commits all or nothing under `--strict` and merges copies of stored incidents,
/// the store commands that only read (issues 9 and 10), and what runs and scores say (the basis,
/// the movements' labels: issues 9 and 11), through the built binary.
@Suite struct StoreImportAndReadTests {
    static let store = ["--store", "ops.sqlite"]

    /// A store with two routes and one movement, made through the command line.
    static func smallStore(_ scratch: Scratch) throws {
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        try scratch.write("routes.geojson", routesGeoJSON([
            (id: "north", line: [LonLat(67, 25), LonLat(67, 26)]),
            (id: "south", line: [LonLat(66, 24), LonLat(66.5, 24.5)]),
        ]))
        #expect(try scratch.routerisk(["store", "import", "routes", "routes.geojson"] + store).status == 0)
        try scratch.write("first.csv", "id,route_id,departs_at,status,labels\nm0,north,2025-06-01T06:00:00Z,scheduled,convoy A\n")
        #expect(try scratch.routerisk(["store", "import", "movements", "first.csv"] + store).status == 0)
    }

    /// The movement count of `store status`.
    static func movements(_ scratch: Scratch) throws -> Int? {
        StoreCommandTests.counts(try scratch.routerisk(["store", "status"] + store))["movements"]
    }

    @Test func aStrictImportWithAnyWarningCommitsNothing() throws {
        let scratch = try Scratch()
        try Self.smallStore(scratch)
        // Two good movements and one on a route the store does not hold: the store refuses that
        // one only after the others would have been written.
        try scratch.write("moves.csv", """
            id,route_id,departs_at,status,labels
            m1,north,2025-06-01T07:00:00Z,scheduled,
            m2,south,2025-06-01T08:00:00Z,scheduled,
            lost,no-such-route,2025-06-01T09:00:00Z,scheduled,
            """)
        let strict = try scratch.routerisk(["store", "import", "movements", "moves.csv", "--strict"] + Self.store)
        #expect(strict.status == 1, "\(strict.status) \(strict.stdout) \(strict.stderr)")
        #expect(strict.stderr.contains("lost") && strict.stderr.contains("no-such-route"), "\(strict.stderr)")
        #expect(try Self.movements(scratch) == 1, "nothing of the file was committed")

        // A bad row in the second of two incident files: the first file is not committed either.
        try scratch.write("good.csv", incidentsCSV([(id: "g1", date: "2025-05-01", at: LonLat(67, 25.5), killed: 1, injured: 0)]))
        try scratch.write("bad.csv", "id,date,lat,lon,killed,injured\nb1,2025-05-02,25.2,67.1,1,0\nb2,2025-05-03,north,67,1,0\n")
        let badFile = try scratch.routerisk(["store", "import", "incidents", "good.csv", "bad.csv", "--strict"] + Self.store)
        #expect(badFile.status == 1 && badFile.stderr.contains("bad.csv"), "\(badFile.status) \(badFile.stderr)")
        #expect(StoreCommandTests.counts(try scratch.routerisk(["store", "status"] + Self.store))["incidents"] == 0)

        // Without --strict the good rows are kept and the bad one reported.
        let lenient = try scratch.routerisk(["store", "import", "movements", "moves.csv"] + Self.store)
        #expect(lenient.status == 0 && lenient.stdout.hasPrefix("2 movements imported, 1 refused"), "\(lenient.stdout)")
        #expect(try Self.movements(scratch) == 3)
    }

    struct FileState: Equatable {
        var bytes: Data
        var modified: Date?
    }

    /// The bytes and modification time of a file. (A reader may add SQLite's -wal and -shm
    /// companions where it can; they hold no data of the store.)
    static func snapshot(_ scratch: Scratch, _ name: String) throws -> FileState {
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path(name))
        return FileState(bytes: try scratch.read(name), modified: attributes[.modificationDate] as? Date)
    }

    @Test func statusAndScoresOnlyReadTheStore() throws {
        let scratch = try Scratch()
        try Self.smallStore(scratch)
        try scratch.write("incidents.csv", incidentsCSV([(id: "i1", date: "2025-05-20", at: LonLat(67.01, 25.5), killed: 3, injured: 1)]))
        #expect(try scratch.routerisk(["store", "import", "incidents", "incidents.csv"] + Self.store).status == 0)
        let batch = try scratch.routerisk(["batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "all", "--format", "json"] + Self.store)
        #expect(batch.status == 0, "\(batch.stderr)")

        // Read-only for a user who is not root; root writes regardless, so the test also checks
        // that the commands never change the file (SQLite opens it with SQLITE_OPEN_READONLY).
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: scratch.path("ops.sqlite"))
        let before = try Self.snapshot(scratch, "ops.sqlite")
        // Later modification times would show.
        Thread.sleep(forTimeInterval: 1.1)
        let status = try scratch.routerisk(["store", "status"] + Self.store)
        #expect(status.status == 0 && status.stdout.contains("run 1: completed"), "\(status.stdout) \(status.stderr)")
        for format in ["table", "json", "csv"] {
            let scores = try scratch.routerisk(["store", "scores", "--format", format] + Self.store)
            #expect(scores.status == 0 && scores.stdout.contains("m0"), "\(format): \(scores.stderr)")
        }
        #expect(try Self.snapshot(scratch, "ops.sqlite") == before)
    }

    /// `routerisk arguments` as a user who owns nothing here: as root, through setpriv as nobody
    /// (root may write anything); otherwise as the user running the tests, to whom the test
    /// denies writing.
    static func asAnotherUser(_ scratch: Scratch, _ arguments: [String]) throws -> CommandRun {
        guard getuid() == 0 else { return try scratch.routerisk(arguments) }
        return try RouteRiskCommand.run(["--reuid=65534", "--regid=65534", "--clear-groups", RouteRiskCommand.executable.path]
                                        + arguments, in: scratch.url, program: URL(fileURLWithPath: "/usr/bin/setpriv"))
    }

    @Test(.enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "skipped: running as root without /usr/bin/setpriv to run as another user"))
    func aUserWhoMayWriteNeitherTheStoreNorItsFolderReadsIt() throws {
        let scratch = try Scratch()
        try Self.smallStore(scratch)
        try scratch.write("incidents.csv", incidentsCSV([(id: "i1", date: "2025-05-20", at: LonLat(67.01, 25.5), killed: 3, injured: 1)]))
        #expect(try scratch.routerisk(["store", "import", "incidents", "incidents.csv"] + Self.store).status == 0)
        #expect(try scratch.routerisk(["batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "all"] + Self.store).status == 0)
        let store = scratch.path("ops.sqlite")
        // The batch left no -wal beside the store (SQLite removes it as the last connection closes).
        #expect(!FileManager.default.fileExists(atPath: store + "-wal"))
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: store)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: scratch.url.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.url.path) }
        let before = try Self.snapshot(scratch, "ops.sqlite")
        Thread.sleep(forTimeInterval: 1.1)
        let status = try Self.asAnotherUser(scratch, ["store", "status"] + Self.store)
        #expect(status.status == 0 && status.stdout.contains("run 1: completed"), "\(status.status) \(status.stderr)")
        for format in ["table", "json", "csv"] {
            let scores = try Self.asAnotherUser(scratch, ["store", "scores", "--format", format] + Self.store)
            #expect(scores.status == 0 && scores.stdout.contains("m0"), "\(format): \(scores.status) \(scores.stderr)")
        }
        #expect(try Self.snapshot(scratch, "ops.sqlite") == before)
        for companion in ["-wal", "-shm", "-journal"] { #expect(!FileManager.default.fileExists(atPath: store + companion), "\(companion)") }
        // Writing still needs write access.
        let write = try Self.asAnotherUser(scratch, ["store", "import", "incidents", "incidents.csv"] + Self.store)
        #expect(write.status != 0, "\(write.stdout)")
    }

    @Test func statusOnAnEmptyOrForeignFileWritesNothingAndExits4() throws {
        let scratch = try Scratch()
        try scratch.write("empty.sqlite", "")
        try scratch.write("notes.sqlite", "a text file, not a database\n")
        for name in ["empty.sqlite", "notes.sqlite"] {
            let before = try scratch.read(name)
            for command in [["store", "status"], ["store", "scores"]] {
                let run = try scratch.routerisk(command + ["--store", name])
                #expect(run.status == 4 && run.stderr.hasPrefix("routerisk: error: ") && run.stderr.contains(name), "\(run.status) \(run.stderr)")
                #expect(try scratch.read(name) == before)
                #expect(!FileManager.default.fileExists(atPath: scratch.path(name + "-wal")))
            }
        }
    }

    @Test func importMergesCopiesOfStoredIncidentsUnlessKept() throws {
        let scratch = try Scratch()
        #expect(try scratch.routerisk(["store", "init", "--empty"] + Self.store).status == 0)
        try scratch.write("a.csv", incidentsCSV([(id: "s1", date: "2025-01-10", at: LonLat(67, 25), killed: 4, injured: 0)]))
        #expect(try scratch.routerisk(["store", "import", "incidents", "a.csv"] + Self.store).stdout == "1 incidents added, 0 changed\n")
        // s1 again with one more death (an update by id); another source's copy of it a day later
        // and 0.02 degrees (2.2 km) north, 5 vs 4 killed (within max(2, 25 %)); and an incident
        // 0.2 degrees (22 km) north, another event.
        try scratch.write("b.csv", incidentsCSV([
            (id: "s1", date: "2025-01-10", at: LonLat(67, 25), killed: 5, injured: 0),
            (id: "acled-9", date: "2025-01-11", at: LonLat(67, 25.02), killed: 5, injured: 1),
            (id: "f1", date: "2025-01-10", at: LonLat(67, 25.2), killed: 4, injured: 0),
        ]))
        let merged = try scratch.routerisk(["store", "import", "incidents", "b.csv"] + Self.store)
        #expect(merged.status == 0 && merged.stdout == "1 incidents added, 1 changed, 1 duplicates merged\n", "\(merged.stdout) \(merged.stderr)")
        #expect(StoreCommandTests.counts(try scratch.routerisk(["store", "status"] + Self.store))["incidents"] == 2)
        let kept = try scratch.routerisk(["store", "import", "incidents", "b.csv", "--keep-duplicates"] + Self.store)
        #expect(kept.status == 0 && kept.stdout == "1 incidents added, 0 changed\n", "\(kept.stdout) \(kept.stderr)")
        #expect(StoreCommandTests.counts(try scratch.routerisk(["store", "status"] + Self.store))["incidents"] == 3)
        // Now held by id, the copy is the same incident again: nothing to add, merge or change.
        #expect(try scratch.routerisk(["store", "import", "incidents", "b.csv"] + Self.store).stdout == "0 incidents added, 0 changed\n")
    }

    /// The JSON object at `path` in `text`.
    static func object(_ text: String, _ path: String...) throws -> [String: Any] {
        var value: Any = try JSONSerialization.jsonObject(with: Data(text.utf8))
        for key in path { value = try #require((value as? [String: Any])?[key], "no \(key)") }
        return try #require(value as? [String: Any])
    }

    @Test func runsAndScoresSayWhatTheyRestOnAndCarryLabels() throws {
        let scratch = try Scratch()
        try Self.smallStore(scratch)
        try scratch.write("zones.geojson", zonesGeoJSON([ZoneBox(id: "box", west: 65, south: 23, east: 68, north: 27, base: 0.1,
                                                                 multiplier: 1)]))
        try scratch.write("far.geojson", routesGeoJSON([(id: "kashgar", line: [LonLat(75.99, 39.47), LonLat(76.2, 39.6)])]))
        try scratch.write("more.csv", """
            id,route_id,departs_at,status,labels
            m1,south,2025-06-01T07:00:00Z,scheduled,"escort, night"
            m2,kashgar,2025-06-01T08:00:00Z,scheduled,
            """)
        // Their envelope (65.9 to 67.1 E, 23.9 to 26.1 N) and the zone hold both Pakistan routes;
        // the old one is 5,630 days before the departures: 0.5^(5630/365) < 0.01, decayed.
        try scratch.write("incidents.csv", incidentsCSV([(id: "old", date: "2010-01-01", at: LonLat(65.9, 23.9), killed: 3, injured: 0),
                                                         (id: "new", date: "2025-05-20", at: LonLat(67.1, 26.1), killed: 2, injured: 1)]))
        for (kind, file) in [("zones", "zones.geojson"), ("routes", "far.geojson"), ("movements", "more.csv"), ("incidents", "incidents.csv")] {
            let run = try scratch.routerisk(["store", "import", kind, file] + Self.store)
            #expect(run.status == 0 && run.stderr.isEmpty, "\(kind): \(run.stderr)")
        }
        let batch = try scratch.routerisk(["batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "all", "--format", "json"] + Self.store)
        #expect(batch.status == 0, "\(batch.stderr)")
        let basis = try Self.object(batch.stdout, "run", "basis")
        let incidents = try Self.object(batch.stdout, "run", "basis", "incidents")
        #expect(incidents["stored"] as? Int == 2 && incidents["applicable"] as? Int == 1 && incidents["decayed"] as? Int == 1
                && incidents["after_evaluation"] as? Int == 0, "\(incidents)")
        #expect(incidents["earliest"] as? String == "2010-01-01T00:00:00Z" && incidents["latest"] as? String == "2025-05-20T00:00:00Z")
        #expect(basis["departures_from"] as? String == "2025-06-01T06:00:00Z" && basis["departures_to"] as? String == "2025-06-01T08:00:00Z")
        #expect(basis["zones"] as? Int == 1 && (basis["model_hash"] as? String)?.isEmpty == false)
        #expect(try Self.object(batch.stdout, "run", "basis", "coverage") as NSDictionary == ["inside": 2, "partly": 0, "outside": 1])
        let riskiest = try #require(try JSONSerialization.jsonObject(with: Data(batch.stdout.utf8)) as? [String: Any])["riskiest"] as? [[String: Any]]
        let labels = Dictionary(uniqueKeysWithValues: (riskiest ?? []).map { ($0["movement_id"] as? String ?? "?", $0["labels"] as? String) })
        #expect(labels == ["m0": "convoy A", "m1": "escort, night", "m2": ""])

        let status = try scratch.routerisk(["store", "status"] + Self.store)
        #expect(status.stdout.contains("basis: 2 incidents stored (2010-01-01 to 2025-05-20), 1 applied at the departures, 1 decayed")
                && status.stdout.contains("2 inside, 0 partly, 1 outside"), "\(status.stdout)")
        let json = try scratch.routerisk(["store", "scores", "--format", "json"] + Self.store)
        #expect(try Self.object(json.stdout, "run", "basis") as NSDictionary == basis as NSDictionary)
        #expect(json.stdout.contains("\"labels\": \"escort, night\""), "\(json.stdout)")
        let csv = try scratch.routerisk(["store", "scores", "--format", "csv"] + Self.store).stdout
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasSuffix(",labels") == true && lines.first?.hasPrefix("movement_id,route_id,name,") == true)
        #expect(lines.contains { $0.hasPrefix("m1,south,") && $0.hasSuffix(",\"escort, night\"") }, "\(csv)")
        #expect(lines.contains { $0.hasPrefix("m0,north,") && $0.hasSuffix(",convoy A") }, "\(csv)")
        #expect(try scratch.routerisk(["store", "scores"] + Self.store).stdout.contains("escort, night"))
        let table = try scratch.routerisk(["batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "all", "--full", "--format", "table"]
                                          + Self.store)
        #expect(table.stdout.contains("Basis: 2 incidents stored") && table.stdout.contains("convoy A"), "\(table.stdout)")
    }
}

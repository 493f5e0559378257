import Foundation
import Testing

/// The exit-status contract, one table for every command (README "Exit status"):
/// 0 success, 1 bad input data, 2 usage error, 3 partial failure, 4 store unreachable.
/// Each command is run into each class it can reach, and every failure message starts with the
/// same prefix.
@Suite struct ExitContractTests {
    static let asOf = "2025-06-01T00:00:00Z"
    static let prefix = "routerisk: error: "

    /// A scratch folder with inputs for every command: a good route and one ending at the south
    /// pole (which the working projection, a conic fitted to Pakistan, cannot hold), incidents,
    /// zones, the bundled model, and a store holding a movement on each route.
    static func fixture() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("good.geojson", routesGeoJSON([(id: "road", line: [LonLat(67, 25), LonLat(67, 26)])]))
        try scratch.write("mixed.geojson", routesGeoJSON([
            (id: "road", line: [LonLat(67, 25), LonLat(67, 26)]),
            (id: "pole", line: [LonLat(64, -89.5), LonLat(64, -90)]),
        ]))
        try scratch.write("incidents.csv", incidentsCSV([(id: "a", date: "2025-05-01", at: LonLat(67.01, 25.5), killed: 2, injured: 1)]))
        try scratch.write("zones.geojson", zonesGeoJSON([ZoneBox(id: "z", west: 66, south: 24, east: 68, north: 27, base: 0.1, multiplier: 1)]))
        try FileManager.default.copyItem(at: RouteRiskCommand.packageRoot.appendingPathComponent("data/model.json"),
                                         to: scratch.url.appendingPathComponent("model.json"))
        try scratch.write("bad-model.json", #"{"half_life_days": 0}"#)
        try scratch.write("moves.csv", """
            id,route_id,departs_at,status,labels
            on-road,road,2025-06-02T06:00:00Z,scheduled,
            """)
        try scratch.write("pole-moves.csv", """
            id,route_id,departs_at,status,labels
            on-road,road,2025-06-02T06:00:00Z,scheduled,
            to-pole,pole,2025-06-02T07:00:00Z,scheduled,
            """)
        return scratch
    }

    static let inputs = ["--incidents", "incidents.csv", "--zones", "zones.geojson", "--model", "model.json", "--as-of", asOf]

    /// Runs `arguments` and checks the status, and for a failure the common prefix on stderr.
    static func expect(_ scratch: Scratch, _ arguments: [String], _ status: Int32, _ mentions: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try scratch.routerisk(arguments)
        #expect(run.status == status, "\(arguments.joined(separator: " ")): \(run.status) \(run.stderr)",
                sourceLocation: sourceLocation)
        if status != 0 {
            // Progress, warnings and notes may come first; the error is under the prefix, and no
            // other spelling of an error appears.
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix(prefix) } && !run.stderr.contains("Error:"), "\(arguments): \(run.stderr)",
                    sourceLocation: sourceLocation)
        }
        if let mentions {
            #expect(run.stderr.contains(mentions), "\(arguments): \(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func score() throws {
        let scratch = try Self.fixture()
        try Self.expect(scratch, ["score", "good.geojson", "--format", "json"] + Self.inputs, 0)
        try Self.expect(scratch, ["score", "nowhere.geojson"] + Self.inputs, 1, "nowhere.geojson")
        try Self.expect(scratch, ["score", "good.geojson", "--model", "bad-model.json", "--as-of", Self.asOf], 1, "half_life_days")
        // Projected (UTM) coordinates are not read as degrees into an empty success.
        try scratch.write("utm.geojson", routesGeoJSON([(id: "utm", line: [LonLat(317_000.5, 2_751_000), LonLat(392_000, 2_738_000)])]))
        try Self.expect(scratch, ["score", "utm.geojson"] + Self.inputs, 1, "utm.geojson")
        try Self.expect(scratch, ["score", "--format", "xml"], 2, "--format")
        try Self.expect(scratch, ["score", "--as-of", "tomorrow"], 2, "--as-of")
        try Self.expect(scratch, ["score", "--column", "date"], 2, "--column")
        try Self.expect(scratch, ["score", "mixed.geojson", "--format", "json"] + Self.inputs, 3, "pole")
    }

    @Test func batch() throws {
        let scratch = try Self.fixture()
        let store = ["--store", "ops.sqlite"], window = ["--as-of", Self.asOf, "--window", "7d", "--format", "json"]
        try Self.expect(scratch, ["batch"] + store + window, 4, "ops.sqlite")
        try Self.expect(scratch, ["store", "init", "--empty"] + store, 0)
        try Self.expect(scratch, ["store", "import", "routes", "mixed.geojson"] + store, 0)
        try Self.expect(scratch, ["store", "import", "movements", "moves.csv"] + store, 0)
        // No incident in the store: bad input data, unless the run is allowed on zones alone.
        try Self.expect(scratch, ["batch"] + store + window, 1, "no stored incident applies")
        try Self.expect(scratch, ["batch", "--allow-empty"] + store + window, 0)
        try Self.expect(scratch, ["batch", "--model", "bad-model.json"] + store + window, 1, "half_life_days")
        try Self.expect(scratch, ["batch", "--format", "csv"] + store, 2, "--format")
        try Self.expect(scratch, ["batch", "--format", "geojson"] + store, 2, "--format")
        try Self.expect(scratch, ["batch", "--window", "fortnight"] + store, 2, "--window")
        // The usage under a usage error keeps its own lines (control characters in it were shown
        // as \u{A} once all of stderr went through the terminal-safe filter).
        try Self.expect(scratch, ["batch", "--window", "fortnight"] + store, 2, "\nUsage: routerisk batch")
        try Self.expect(scratch, ["store", "import", "movements", "pole-moves.csv"] + store, 0)
        try Self.expect(scratch, ["batch", "--allow-empty"] + store + window, 3, "1 movements failed")
        // A file that is not a store cannot be opened.
        try scratch.write("not-a-store.sqlite", "plain text, not SQLite\n")
        try Self.expect(scratch, ["batch", "--store", "not-a-store.sqlite"] + window, 4, "not-a-store.sqlite")
    }

    @Test func storeCommands() throws {
        let scratch = try Self.fixture()
        let store = ["--store", "ops.sqlite"]
        for command in [["status"], ["scores"], ["import", "routes", "good.geojson"]] {
            try Self.expect(scratch, ["store"] + command + store, 4, "no store at ops.sqlite")
        }
        try Self.expect(scratch, ["store", "init", "--empty", "--store", "no-folder/ops.sqlite"], 4, "no-folder/ops.sqlite")
        try Self.expect(scratch, ["store", "init", "--empty"] + store, 0)
        try Self.expect(scratch, ["store", "init", "--empty"] + store, 2, "already exists")
        try Self.expect(scratch, ["store", "status"] + store, 0)
        try Self.expect(scratch, ["store", "status", "--verbose"] + store, 2)
        try Self.expect(scratch, ["store", "import", "routes"] + store, 2, "<files>")
        try Self.expect(scratch, ["store", "import", "model", "model.json", "model.json"] + store, 2, "one file")
        try Self.expect(scratch, ["store", "import", "routes", "gone.geojson"] + store, 1, "gone.geojson")
        try Self.expect(scratch, ["store", "import", "model", "bad-model.json"] + store, 1, "half_life_days")
        try Self.expect(scratch, ["store", "import", "routes", "good.geojson"] + store, 0)
        try Self.expect(scratch, ["store", "scores"] + store, 1, "no completed run")
        try Self.expect(scratch, ["store", "import", "movements", "moves.csv"] + store, 0)
        try Self.expect(scratch, ["batch", "--as-of", Self.asOf, "--window", "7d", "--format", "json", "--allow-empty"] + store, 0)
        try Self.expect(scratch, ["store", "scores", "--format", "csv"] + store, 0)
        try Self.expect(scratch, ["store", "scores", "--run", "99"] + store, 1, "no run 99")
        try Self.expect(scratch, ["store", "scores", "--run", "first"] + store, 2, "--run")
        try Self.expect(scratch, ["store", "scores", "--format", "geojson"] + store, 2, "--format")
    }

    @Test func generateAndMeasure() throws {
        let scratch = try Self.fixture()
        try Self.expect(scratch, ["generate", "--out", "gen", "--movements", "2", "--incidents", "3"], 0)
        try Self.expect(scratch, ["generate", "--out", "gen", "--movements", "-1"], 2)
        try Self.expect(scratch, ["generate", "--out", "good.geojson/inside"], 1)
        try Self.expect(scratch, ["measure", "LINESTRING (67 25, 67 26)"], 0)
        try Self.expect(scratch, ["measure", "POINT (67 25)"], 1, "Point")
        try Self.expect(scratch, ["measure"], 2)
    }

    @Test func helpAndVersionPrintTheContract() throws {
        let scratch = try Scratch()
        let help = try scratch.routerisk(["--help"])
        #expect(help.status == 0)
        for line in ["0  success", "1  bad input data", "2  usage error", "3  partial failure", "4  the store or server"] {
            #expect(help.stdout.contains(line), "\(line) in \(help.stdout)")
        }
        for command in [["score"], ["batch"]] {
            #expect(try scratch.routerisk(command + ["--help"]).stdout.contains("3  partial failure"), "\(command)")
        }
        let version = try scratch.routerisk(["--version"])
        #expect(version.status == 0)
        // A version number: digits and dots, nothing else.
        let number = version.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!number.isEmpty && number.split(separator: ".").count == 3
                && number.split(separator: ".").allSatisfy { Int($0) != nil }, "\(version.stdout)")
    }
}

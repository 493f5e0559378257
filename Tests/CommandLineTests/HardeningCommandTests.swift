import Foundation
import Testing

/// Issue 10, through the built binary: values an attacker or a careless user gives. Each case
/// crashed, hung or answered wrongly before its fix; now it fails with a message naming the input.
@Suite struct HardeningCommandTests {
    static let asOf = ["--as-of", "2025-06-01T00:00:00Z"]
    static let line = [LonLat(67.0, 24.8), LonLat(67.3, 25.0)]

    /// A status of a normal exit with an error (not 0, and no signal number such as 4 or 6).
    func refused(_ run: CommandRun) -> Bool { run.status == 1 || run.status == 2 || run.status == 64 }

    @Test func modelValuesOutOfRangeAreRefusedByKey() throws {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        // 1e-300 crashed with SIGILL; 0.01 took 170 s for one route; 1e308 weights overflowed.
        for (model, key) in [(#"{"sigma_km": 1e-300}"#, "sigma_km"), (#"{"sigma_km": 0.01}"#, "sigma_km"),
                             (#"{"severity": {"killed": 1e308}}"#, "severity.killed"),
                             (#"{"category_weights": {"bombing": 1e308}}"#, "category_weights.bombing"),
                             (#"{"score_scale": 1e-320}"#, "score_scale")] {
            try scratch.write("model.json", model)
            let run = try scratch.routerisk(["score", "routes.geojson", "--model", "model.json", "--format", "json"] + Self.asOf,
                                            timeout: 60)
            #expect(refused(run), "\(model): status \(run.status)")
            #expect(run.stderr.contains("\(key): must be between"), "\(model): \(run.stderr)")
            #expect(run.stdout.isEmpty)
        }
        // The store refuses it at import too, so no later batch can load it.
        #expect(try scratch.routerisk(["store", "init", "--empty", "--store", "s.sqlite"]).status == 0)
        try scratch.write("model.json", #"{"sigma_km": 1e-300}"#)
        let imported = try scratch.routerisk(["store", "import", "model", "model.json", "--store", "s.sqlite"])
        #expect(refused(imported) && imported.stderr.contains("sigma_km: must be between 0.5 and 500"), "\(imported.stderr)")
    }

    @Test func casualtiesAndZoneFactorsNear1e308AreRefusedNotScoredAsNull() throws {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        try scratch.write("incidents.csv", """
            id,date,lat,lon,killed,injured
            huge,2025-01-01,24.9,67.1,1e308,0
            fine,2025-01-01,24.9,67.1,2,1
            """)
        try scratch.write("zones.geojson", zonesGeoJSON([
            ZoneBox(id: "huge", west: 66, south: 24, east: 68, north: 26, base: 1e308, multiplier: 1),
            ZoneBox(id: "wide", west: 66, south: 24, east: 68, north: 26, base: 0.1, multiplier: 1e308),
            ZoneBox(id: "ok", west: 66, south: 24, east: 68, north: 26, base: 0.1, multiplier: 2),
        ]))
        let run = try scratch.routerisk(["score", "routes.geojson", "--incidents", "incidents.csv", "--zones", "zones.geojson",
                                         "--format", "json"] + Self.asOf)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("line 2: field \"killed\": must be between 0 and 1000000"), "\(run.stderr)")
        #expect(run.stderr.contains("field \"base\": must be between 0 and 1000000"), "\(run.stderr)")
        #expect(run.stderr.contains("field \"multiplier\": must be between 0 and 1000"), "\(run.stderr)")
        #expect(!run.stdout.contains("\"exposure\": null"))
        let output = try decode(ScoreOutput.self, run)
        #expect(output.routes.count == 1 && output.routes[0].exposure.isFinite && output.routes[0].exposure > 0)
    }

    @Test func commandLineValuesThatCrashedAreRefused() throws {
        let scratch = try Scratch()
        #expect(try scratch.routerisk(["store", "init", "--empty", "--store", "s.sqlite"]).status == 0)
        for window in ["1e300d", "infd", "nand", "36501d"] {
            let run = try scratch.routerisk(["batch", "--store", "s.sqlite", "--window", window])
            #expect(run.status == 2 && run.stderr.contains("--window"), "\(window): \(run.status) \(run.stderr)")
        }
        // The longest window is accepted and reads back as itself.
        let longest = try scratch.routerisk(["batch", "--store", "s.sqlite", "--window", "36500d", "--format", "json"] + Self.asOf)
        #expect(longest.status == 0, "\(longest.stderr)")
        #expect(try scratch.routerisk(["store", "status", "--store", "s.sqlite"]).stdout.contains("window 36500d"))
        let jobs = try scratch.routerisk(["batch", "--store", "s.sqlite", "--jobs", String(Int.max)])
        #expect(jobs.status == 2 && jobs.stderr.contains("--jobs"), "\(jobs.stderr)")
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        let score = try scratch.routerisk(["score", "routes.geojson", "--jobs", String(Int.max - 1), "--format", "json"] + Self.asOf)
        #expect(refused(score) && score.stderr.contains("jobs"), "\(score.status) \(score.stderr)")
        let days = try scratch.routerisk(["generate", "--out", "gen", "--days=-1"])
        #expect(refused(days) && days.stderr.contains("--days"), "\(days.status) \(days.stderr)")
    }

    /// `café` precomposed (NFC) and decomposed (NFD) are one id everywhere: in one routes file
    /// they are a duplicate, and a movement naming the route in the other form scores on it.
    @Test func canonicallyEquivalentIdsAreOneId() throws {
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        let scratch = try Scratch()
        try scratch.write("both.geojson", routesGeoJSON([(id: nfc, line: Self.line), (id: nfd, line: [LonLat(62, 25), LonLat(62.3, 25.2)])]))
        let both = try scratch.routerisk(["score", "both.geojson", "--format", "json"] + Self.asOf)
        #expect(both.status != 0 && both.stderr.contains("duplicate route id"), "\(both.stderr)")

        try scratch.write("route.geojson", routesGeoJSON([(id: nfc, line: Self.line)]))
        try scratch.write("movements.csv", "id,route_id,departs_at\n\(nfd)-m,\(nfd),2025-06-01T06:00:00Z\n\(nfc)-m,\(nfc),2025-06-01T07:00:00Z\n")
        let store = ["--store", "s.sqlite"]
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        #expect(try scratch.routerisk(["store", "import", "routes", "route.geojson"] + store).status == 0)
        let movements = try scratch.routerisk(["store", "import", "movements", "movements.csv"] + store)
        // The two movement ids are one id too: the second line is the duplicate.
        #expect(movements.stdout.contains("1 movements imported"), "\(movements.stdout) \(movements.stderr)")
        let batch = try scratch.routerisk(["batch", "--window", "1d", "--format", "json", "--allow-empty"] + store + Self.asOf)
        #expect(batch.status == 0, "\(batch.stderr)")
        let output = try decode(BatchOutput.self, batch)
        #expect(output.run.scored == 1)
    }

    /// A movement with its own geometry used to replace, under its `route_id`, the shared route
    /// every other movement on that id scores on.
    @Test func aMovementsOwnGeometryDoesNotReplaceASharedRoute() throws {
        let scratch = try Scratch()
        try scratch.write("route.geojson", routesGeoJSON([(id: "shared", line: Self.line)]))
        try scratch.write("movements.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"m1","route_id":"shared","departs_at":"2025-06-01T06:00:00Z"},
               "geometry":{"type":"LineString","coordinates":[[62,25],[62.3,25.2]]}},
              {"type":"Feature","properties":{"id":"m2","departs_at":"2025-06-01T06:00:00Z"},
               "geometry":{"type":"LineString","coordinates":[[62,25],[62.3,25.2]]}}
            ]}
            """)
        let store = ["--store", "s.sqlite"]
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        #expect(try scratch.routerisk(["store", "import", "routes", "route.geojson"] + store).status == 0)
        let imported = try scratch.routerisk(["store", "import", "movements", "movements.geojson"] + store)
        #expect(imported.stderr.contains("feature 1: field \"route_id\""), "\(imported.stderr)")
        #expect(imported.stdout.contains("1 movements imported"))
        let status = try scratch.routerisk(["store", "status"] + store)
        #expect(status.stdout.contains("routes 2"), "\(status.stdout)")  // shared and movement-m2
        // The shared route kept its own length: the geodesic of its one segment (Vincenty here).
        try scratch.write("m.csv", "id,route_id,departs_at\nm3,shared,2025-06-01T06:00:00Z\n")
        #expect(try scratch.routerisk(["store", "import", "movements", "m.csv"] + store).status == 0)
        let batch = try scratch.routerisk(["batch", "--window", "1d", "--format", "json", "--allow-empty"] + store + Self.asOf)
        #expect(batch.status == 0, "\(batch.stderr)")
        let scores = try decode(StoredScores.self, try scratch.routerisk(["store", "scores", "--format", "json"] + store)).scores
        let m3 = try #require(scores.first { $0.movementId == "m3" })
        #expect(relativeDifference(m3.lengthKm, Vincenty.lengthKm(Self.line)) < 1e-6)
    }

    /// Escape codes in names and ids used to reach the terminal raw; an id with CR LF split CSV rows.
    @Test func controlCharactersNeverReachTheTerminalOrSplitRows() throws {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"evil\\r\\nr9,1,2","name":"x"},"geometry":{"type":"LineString","coordinates":[[67,24.8],[67.3,25]]}},
              {"type":"Feature","properties":{"id":"ok","name":"\\u001b]0;pwned\\u0007\\u001b[2J"},"geometry":{"type":"LineString","coordinates":[[67,24.8],[67.3,25]]}}
            ]}
            """)
        let table = try scratch.routerisk(["score", "routes.geojson", "--format", "table"] + Self.asOf)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(!table.stdout.contains("\u{1B}") && !table.stderr.contains("\u{1B}"))
        #expect(table.stdout.contains("\\u{1B}]0;pwned"))
        // The id with CR LF is refused by name, shown escaped.
        #expect(table.stderr.contains("contains the control character U+000D"), "\(table.stderr)")
        #expect(!table.stderr.contains("\r"))
        let csv = try scratch.routerisk(["score", "routes.geojson", "--format", "csv"] + Self.asOf)
        #expect(csvRecordCount(csv.stdout) == 2)  // the header and "ok"
    }

    /// A route vertex at latitude -90 used to abort the whole fast-path run naming nothing; now
    /// that route fails alone, by id, and the others are scored on the grid.
    @Test func aRouteThroughAPoleFailsAloneOnTheFastPath() throws {
        let scratch = try Scratch()
        #expect(try scratch.routerisk(["generate", "--out", "gen", "--movements", "120", "--min-km", "150", "--max-km", "250"]).status == 0)
        try scratch.write("pole.geojson", routesGeoJSON([(id: "pole", line: [LonLat(67, -89), LonLat(67, -90)])]))
        let run = try scratch.routerisk(["score", "gen/routes.geojson", "pole.geojson", "--format", "csv"] + Self.asOf)
        #expect(run.status == 3, "a partial failure: \(run.stderr)")
        #expect(run.stderr.contains("hazard grid"))  // the fast path ran
        #expect(run.stderr.contains("route pole:"), "\(run.stderr)")
        #expect(csvRecordCount(run.stdout) == 121)
    }

    /// A crafted self-intersecting zone of 20,001 vertices took 648 s to repair; an invalid zone
    /// over the repair limit is refused by name at once, and any zone over the vertex limit too.
    @Test func zonesPastTheVertexLimitsAreRefusedQuickly() throws {
        let scratch = try Scratch()
        // A zigzag ring whose edges cross each other: 10,001 distinct vertices, then closed.
        var zigzag: [String] = []
        for i in 0...10_000 { zigzag.append("[\(66 + Double(i) * 0.0003), \(i % 2 == 0 ? 24.0 : 26.0)]") }
        zigzag.append("[66, 26]")
        zigzag.append("[66.5, 23]")
        zigzag.append("[66, 24]")
        var big: [String] = []
        for i in 0...100_001 { big.append("[\(66 + Double(i) * 0.00001), 24]") }
        big += ["[67, 25]", "[66, 24]"]
        try scratch.write("zones.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"crafted"},"geometry":{"type":"Polygon","coordinates":[[\(zigzag.joined(separator: ","))]]}},
              {"type":"Feature","properties":{"id":"huge"},"geometry":{"type":"Polygon","coordinates":[[\(big.joined(separator: ","))]]}},
              {"type":"Feature","properties":{"id":"ok"},"geometry":{"type":"Polygon","coordinates":[[[66,24],[68,24],[68,26],[66,24]]]}}
            ]}
            """)
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        let started = Date()
        let run = try scratch.routerisk(["score", "routes.geojson", "--zones", "zones.geojson", "--format", "json"] + Self.asOf,
                                        timeout: 60)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("feature 1: field \"geometry\": invalid polygon"), "\(run.stderr.prefix(600))")
        #expect(run.stderr.contains("only invalid polygons of up to 10000 vertices are repaired"))
        #expect(run.stderr.contains("feature 2: field \"geometry\": has 100004 vertices, more than the limit of 100000"))
    }

    /// `store status` used to write a schema into any empty file; a double BOM hid the `id`
    /// column, so a re-import added the same incidents again.
    @Test func anEmptyFileIsNotAStoreAndADoubleBOMIsDropped() throws {
        let scratch = try Scratch()
        try scratch.write("empty.sqlite", "")
        let status = try scratch.routerisk(["store", "status", "--store", "empty.sqlite"])
        #expect(status.status != 0 && status.stderr.contains("not a routerisk store"), "\(status.stderr)")
        #expect(try scratch.read("empty.sqlite").isEmpty)

        let bom = "\u{FEFF}\u{FEFF}"
        try scratch.write("incidents.csv", bom + "id,date,lat,lon,killed,injured\nx1,2025-01-01,24.9,67.1,1,0\nx2,2025-01-02,25,67,0,2\n")
        #expect(try scratch.routerisk(["store", "init", "--empty", "--store", "s.sqlite"]).status == 0)
        let first = try scratch.routerisk(["store", "import", "incidents", "incidents.csv", "--store", "s.sqlite"])
        #expect(first.stdout.contains("2 incidents added, 0 changed"), "\(first.stdout) \(first.stderr)")
        let again = try scratch.routerisk(["store", "import", "incidents", "incidents.csv", "--store", "s.sqlite"])
        #expect(again.stdout.contains("0 incidents added, 0 changed"), "\(again.stdout) \(again.stderr)")
    }

    /// Issue 10 item 9: a whole-world zone, or incidents at both poles, failed the whole run with
    /// PROJ's raw "Invalid value"; now each such item is refused by file and feature or line,
    /// and the routes are scored.
    @Test func aWholeWorldZoneAndIncidentsAtThePolesFailOnlyThemselves() throws {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        try scratch.write("world.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"world","base":0.1},"geometry":{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}},
              {"type":"Feature","properties":{"id":"k","base":1},"geometry":{"type":"Polygon","coordinates":[[[66,24],[68,24],[68,26],[66,24]]]}}
            ]}
            """)
        try scratch.write("poles.csv", incidentsCSV([(id: "n", date: "2025-01-01", at: LonLat(0, 90), killed: 1, injured: 0),
                                                     (id: "s", date: "2025-01-01", at: LonLat(0, -90), killed: 1, injured: 0),
                                                     (id: "k", date: "2025-01-01", at: Self.line[0], killed: 1, injured: 0)]))
        let run = try scratch.routerisk(["score", "routes.geojson", "--zones", "world.geojson", "--incidents", "poles.csv",
                                         "--format", "csv"] + Self.asOf)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\n1,r1,"), "\(run.stdout)")
        #expect(!run.stderr.contains("PROJ"))
        #expect(run.stderr.contains("world.geojson: feature 1: field \"geometry\": reaches latitude -90 is beyond 85 degrees"), "\(run.stderr)")
        #expect(run.stderr.contains("poles.csv: line 2: field \"lat\": 90 is beyond 85 degrees"))
        #expect(run.stderr.contains("poles.csv: line 3: field \"lat\": -90 is beyond 85 degrees"))
    }
}

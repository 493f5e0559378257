import Foundation
import Testing

/// Times without a zone, `--timezone`, `--evaluate-at`, and evaluation times stated truthfully.
@Suite struct TimesTests {
    static let inputs = ["--incidents", "incidents.csv", "--zones", "zones.geojson", "--model", "model.json"]

    static func fixture() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("routes.geojson", """
            {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "dated", "departs_at": "2025-06-10T03:00:00Z"},
             "geometry": {"type": "LineString", "coordinates": [[67, 25], [67, 26]]}},
            {"type": "Feature", "properties": {"id": "local", "departs_at": "2026-11-30 08:00"},
             "geometry": {"type": "LineString", "coordinates": [[67.2, 25], [67.2, 26]]}},
            {"type": "Feature", "properties": {"id": "undated"},
             "geometry": {"type": "LineString", "coordinates": [[67.4, 25], [67.4, 26]]}}]}
            """)
        try scratch.write("incidents.csv", incidentsCSV([(id: "a", date: "2025-05-01", at: LonLat(67.01, 25.5), killed: 2, injured: 1)]))
        try scratch.write("zones.geojson", zonesGeoJSON([ZoneBox(id: "z", west: 66, south: 24, east: 68, north: 27, base: 0.1, multiplier: 1)]))
        try FileManager.default.copyItem(at: RouteRiskCommand.packageRoot.appendingPathComponent("data/model.json"),
                                         to: scratch.url.appendingPathComponent("model.json"))
        return scratch
    }

    static func evaluatedAt(_ run: CommandRun) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try decode(ScoreOutput.self, run).routes.map { ($0.id, $0.evaluatedAt) })
    }

    @Test func aDepartureWithoutAZoneIsRefusedOrReadInTheGivenZone() throws {
        let scratch = try Self.fixture()
        let asOf = ["--as-of", "2025-06-01T00:00:00Z", "--format", "json"]
        let refused = try scratch.routerisk(["score", "routes.geojson"] + Self.inputs + asOf)
        #expect(refused.status == 0 && refused.stderr.contains("routes.geojson") && refused.stderr.contains("feature 2")
                && refused.stderr.contains("no zone"), "\(refused.stderr)")
        #expect(try Self.evaluatedAt(refused) == ["dated": "2025-06-10T03:00:00Z", "undated": "2025-06-01T00:00:00Z"])
        let strict = try scratch.routerisk(["score", "routes.geojson", "--strict"] + Self.inputs + asOf)
        #expect(strict.status == 1 && strict.stderr.contains("no zone"))
        // 08:00 in Pakistan (UTC+5) is 03:00Z.
        let karachi = try scratch.routerisk(["score", "routes.geojson", "--timezone", "Asia/Karachi"] + Self.inputs + asOf)
        #expect(karachi.status == 0 && karachi.stderr.isEmpty, "\(karachi.stderr)")
        #expect(try Self.evaluatedAt(karachi)["local"] == "2026-11-30T03:00:00Z")
        // --as-of without a zone: a usage error unless a zone is given.
        let naive = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01 05:00"] + Self.inputs)
        #expect(naive.status == 2 && naive.stderr.contains("--as-of") && naive.stderr.contains("no zone"), "\(naive.stderr)")
        let zoned = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01 05:00", "--timezone", "Asia/Karachi",
                                           "--format", "json"] + Self.inputs)
        #expect(try Self.evaluatedAt(zoned)["undated"] == "2025-06-01T00:00:00Z")
        #expect(try scratch.routerisk(["score", "--timezone", "Nowhere/Special"] + Self.inputs).status == 2)
    }

    @Test func evaluateAtOverridesEveryDepartureAndTheTableSaysWhen() throws {
        let scratch = try Self.fixture()
        let zone = ["--timezone", "Asia/Karachi"]
        let one = try scratch.routerisk(["score", "routes.geojson", "--evaluate-at", "2025-07-01T00:00:00Z", "--format", "json"]
                                        + zone + Self.inputs)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(Set(try Self.evaluatedAt(one).values) == ["2025-07-01T00:00:00Z"])
        #expect(try decode(ScoreOutput.self, one).asOf == "2025-07-01T00:00:00Z")
        let table = try scratch.routerisk(["score", "routes.geojson", "--evaluate-at", "2025-07-01T00:00:00Z", "--format", "table"]
                                          + zone + Self.inputs)
        let first = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("Route risk evaluated at 2025-07-01T05:00:00+05:00"), "\(first)")
        #expect(table.stdout.contains("evaluated at") && table.stdout.components(separatedBy: "2025-07-01T05:00:00+05:00").count == 5)

        // Without it each route is evaluated at its own departure, and the header says so.
        let mixed = try scratch.routerisk(["score", "routes.geojson", "--as-of", "2025-06-01T00:00:00Z", "--format", "table"]
                                          + zone + Self.inputs)
        let header = mixed.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("each route's departure") && header.contains("2025-06-01T05:00:00+05:00")
                && header.contains("2026-11-30T08:00:00+05:00") && header.contains("1 at the as-of time"), "\(header)")
        #expect(try scratch.routerisk(["score", "--as-of", "2025-06-01", "--evaluate-at", "2025-06-01"] + Self.inputs).status == 2)
    }

    @Test func storeImportAndBatchReadDeparturesInTheGivenZone() throws {
        let scratch = try Self.fixture()
        let store = ["--store", "ops.sqlite"]
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        try scratch.write("road.geojson", routesGeoJSON([(id: "road", line: [LonLat(67, 25), LonLat(67, 26)])]))
        #expect(try scratch.routerisk(["store", "import", "routes", "road.geojson"] + store).status == 0)
        try scratch.write("moves.csv", "id,route_id,departs_at,status,labels\nm1,road,2026-11-30 08:00,scheduled,\n")
        let refused = try scratch.routerisk(["store", "import", "movements", "moves.csv"] + store)
        #expect(refused.stdout.hasPrefix("0 movements imported") && refused.stderr.contains("line 2") && refused.stderr.contains("no zone"),
                "\(refused.stdout) \(refused.stderr)")
        let imported = try scratch.routerisk(["store", "import", "movements", "moves.csv", "--timezone", "Asia/Karachi"] + store)
        #expect(imported.stdout.hasPrefix("1 movements imported"), "\(imported.stderr)")
        let batch = try scratch.routerisk(["batch", "--as-of", "2026-11-30 00:00", "--timezone", "Asia/Karachi", "--window", "24h",
                                           "--format", "json"] + store)
        #expect(batch.status == 0, "\(batch.stderr)")
        let output = try decode(BatchOutput.self, batch)
        #expect(output.run.asOf == "2026-11-29T19:00:00Z" && output.riskiest.map(\.evaluatedAt) == ["2026-11-30T03:00:00Z"])
    }
}

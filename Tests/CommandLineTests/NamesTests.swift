import Foundation
import Testing

/// Route names reach `batch` and `store scores` output, from the routes the store holds.
@Suite struct NamesTests {
    @Test func batchAndStoreScoresNameTheRoutes() throws {
        let scratch = try Scratch()
        let store = ["--store", "ops.sqlite"]
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        try scratch.write("routes.geojson", """
            {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "n5", "name": "Karachi to Thatta, N-5"},
             "geometry": {"type": "LineString", "coordinates": [[67, 24.9], [67.9, 24.75]]}},
            {"type": "Feature", "properties": {"id": "unnamed"},
             "geometry": {"type": "LineString", "coordinates": [[67, 25], [67, 25.5]]}}]}
            """)
        try scratch.write("moves.csv", """
            id,route_id,departs_at,status,labels
            m1,n5,2025-06-02T06:00:00Z,scheduled,convoy-1
            m2,unnamed,2025-06-02T07:00:00Z,scheduled,
            """)
        #expect(try scratch.routerisk(["store", "import", "routes", "routes.geojson"] + store).status == 0)
        #expect(try scratch.routerisk(["store", "import", "movements", "moves.csv"] + store).status == 0)
        let batch = try scratch.routerisk(["batch", "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json"] + store)
        #expect(batch.status == 0, "\(batch.stderr)")

        func names(_ run: CommandRun, _ key: String) throws -> [String: String?] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let entries = try #require(object[key] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: entries.map { ($0["movement_id"] as? String ?? "?", $0["name"] as? String) })
        }
        let expected: [String: String?] = ["m1": "Karachi to Thatta, N-5", "m2": nil]
        #expect(try names(batch, "riskiest") == expected)
        let scores = try scratch.routerisk(["store", "scores", "--format", "json"] + store)
        #expect(try names(scores, "scores") == expected)
        let csv = try scratch.routerisk(["store", "scores", "--format", "csv"] + store)
        #expect(csv.stdout.contains("\"Karachi to Thatta, N-5\""), "\(csv.stdout)")
        let table = try scratch.routerisk(["store", "scores", "--format", "table"] + store)
        #expect(table.status == 0)
    }
}

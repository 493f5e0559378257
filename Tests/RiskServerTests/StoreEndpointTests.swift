import Foundation
import Geo
import RiskBatch
import RiskEngine
import RiskSQLite
import Testing
@testable import RiskServer

/// The store endpoints on a store made and batched by the built `routerisk`, so that the
/// server's answers can be held against what the command line prints for the same run.
@Suite(.serialized) struct StoreEndpointTests {
    static let tokens = SafetyTests.tokenFile

    /// A store with the bundled data and one batch over a week of movements; the batch's JSON.
    static func makeStore() throws -> (path: String, batchJSON: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rr-serve-\(UUID().uuidString).sqlite").path
        _ = try runRouterisk(["store", "init", "--store", path])
        let batch = try runRouterisk(["batch", "--store", path, "--as-of", "2025-06-01T00:00:00Z", "--window", "7d", "--format", "json"])
        return (path, batch)
    }

    func withStoreServer<T>(_ body: (RunningServer, String, String) async throws -> T) async throws -> T {
        let (path, batchJSON) = try Self.makeStore()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteStore(path: path)
        let base = try await ScoringBase.load(from: store)
        return try await withServer(options: { $0.tokens = try! TokenTable(parsing: Self.tokens, file: "tokens") },
                                    snapshot: ScoringSnapshot(base: base), store: store) { server in
            try await body(server, path, batchJSON)
        }
    }

    @Test func runsAnswerAsTheBatchPrintedThem() async throws {
        try await withStoreServer { server, path, batchJSON in
            let token = SafetyTests.readToken
            let runs = try #require(try await server.get("/v1/runs", token: token).json["runs"]?.arrayValue)
            #expect(runs.count == 1)
            #expect(runs.first?["id"] == 1)
            #expect(runs.first?["status"] == "completed")
            let batch = try JSONValue.parse(batchJSON)
            #expect(runs.first?["scored"] == batch["run"]?["scored"])

            let report = try await server.get("/v1/runs/1", token: token)
            #expect(report.status == 200)
            #expect(report.text == batchJSON)
            _ = try problem(try await server.get("/v1/runs/7", token: token), status: 404)
            _ = try problem(try await server.get("/v1/runs/latest", token: token), status: 404)
            _ = try problem(try await server.get("/v1/runs"), status: 401)
        }
    }

    @Test func movementsCarryTheirLatestScore() async throws {
        try await withStoreServer { server, path, batchJSON in
            let token = SafetyTests.readToken
            let all = try #require(try await server.get("/v1/movements", token: token).json["movements"]?.arrayValue)
            let csvRows = try String(contentsOf: packageRoot.appendingPathComponent("data/movements.csv"), encoding: .utf8)
                .split(separator: "\n").dropFirst()
            #expect(all.count == csvRows.count)

            // The week's window: departures from 2025-06-01 to 2025-06-08, each scored in run 1.
            let week = try #require(try await server.get("/v1/movements?from=2025-06-01&to=2025-06-08", token: token)
                .json["movements"]?.arrayValue)
            let batch = try JSONValue.parse(batchJSON)
            // The batch scores only scheduled movements; cancelled and done ones have no score.
            let scheduled = week.filter { $0["status"] == "scheduled" }
            #expect(Double(scheduled.count) == batch["run"]?["scored"]?.numberValue)
            #expect(scheduled.allSatisfy { $0["latest_score"]?["run_id"] == 1 })
            #expect(week.filter { $0["status"] != "scheduled" }.allSatisfy { $0["latest_score"] == .null })
            #expect(week.allSatisfy { ($0["departs_at"]?.stringValue ?? "") >= "2025-06-01" && ($0["departs_at"]?.stringValue ?? "") < "2025-06-08" })

            // As many in each band as the run counted.
            for band in ["LOW", "MODERATE", "HIGH", "EXTREME"] {
                let listed = try #require(try await server.get("/v1/movements?band=\(band.lowercased())", token: token)
                    .json["movements"]?.arrayValue)
                #expect(Double(listed.count) == batch["bands"]?[band]?.numberValue, "\(band)")
            }
            let convoy = try #require(try await server.get("/v1/movements?label=CONVOY-1", token: token).json["movements"]?.arrayValue)
            #expect(convoy.count == csvRows.filter { $0.hasSuffix(",convoy-1") }.count)

            // One movement: the spec's route object, as `store scores` prints it for the run.
            let scores = try JSONValue.parse(try runRouterisk(["store", "scores", "--store", path, "--run", "1", "--format", "json"]))
            let printed = try #require(scores["scores"]?.arrayValue?.first { $0["movement_id"] == "mv-001" })
            let one = try await server.get("/v1/movements/mv-001", token: token).json
            let latest = try #require(one["latest_score"])
            #expect(one["route_id"] == "gwadar-turbat-m8")
            for key in ["exposure", "score", "band", "zones", "top_incidents", "peak_location", "evaluated_at"] {
                #expect(latest[key] == printed[key], "\(key)")
            }
            _ = try problem(try await server.get("/v1/movements/nobody", token: token), status: 404)
            _ = try problem(try await server.get("/v1/movements?band=purple", token: token), status: 400)
        }
    }

    @Test func importsNeedAWriteTokenAndSwapTheSnapshot() async throws {
        try await withStoreServer { server, _, _ in
            // On the Gwadar-Turbat road's first vertex region: a new attack near a scored route.
            let file = try JSONValue.parse(Data(contentsOf: packageRoot.appendingPathComponent("data/routes/gwadar-turbat.geojson")))
            let route = try #require(file["features"]?.arrayValue?.first)
            let routeBody = JSONValue.object([.init("type", "FeatureCollection"), .init("features", .array([route]))]).serialized()
            let firstVertex = try #require(route["geometry"]?["coordinates"]?.arrayValue?.first?.arrayValue)
            let (lon, lat) = (firstVertex[0].numberValue!, firstVertex[1].numberValue!)
            let csv = "id,date,lat,lon,killed,injured\nnew-1,2025-05-30,\(lat),\(lon),4,2\n"

            let before = try await server.post("/v1/score?as_of=2025-06-01", routeBody, token: SafetyTests.readToken)
            let exposureBefore = try #require(try before.json["routes"]?.arrayValue?.first?["exposure"]?.numberValue)

            _ = try problem(try await server.post("/v1/incidents", csv, contentType: "text/csv"), status: 401)
            _ = try problem(try await server.post("/v1/incidents", csv, token: SafetyTests.readToken, contentType: "text/csv"), status: 403)
            let imported = try await server.post("/v1/incidents", csv, token: SafetyTests.writeToken, contentType: "text/csv")
            #expect(imported.status == 200, "\(imported.text)")
            #expect(try imported.json["added"] == 1)
            #expect(try imported.json["snapshot_revision"] == 2)

            // The next request scores against the new incident: on the route, two days old, so
            // it adds w D about its kernel's integral, sigma sqrt(pi/2) at least (the route starts there).
            let after = try await server.post("/v1/score?as_of=2025-06-01", routeBody, token: SafetyTests.readToken)
            let routeAfter = try #require(try after.json["routes"]?.arrayValue?.first)
            let exposureAfter = try #require(routeAfter["exposure"]?.numberValue)
            let weight = 1 + log(1 + 4 + 0.5 * 2)  // severity; no category or target weight
            let decay = pow(0.5, 2.0 / 365)
            #expect(exposureAfter - exposureBefore > weight * decay * 10 * (Double.pi / 2).squareRoot() * 0.9)
            #expect(routeAfter["top_incidents"]?.arrayValue?.contains { $0["id"] == "new-1" } == true)

            // Bad rows are named; a body of nothing but bad rows is refused.
            let bad = try problem(try await server.post("/v1/incidents", "id,date,lat,lon\nx,2025-01-01,north,67\n",
                                                        token: SafetyTests.writeToken, contentType: "text/csv"), status: 422)
            let item = try #require(bad["errors"]?.arrayValue?.first)
            #expect(item["location"] == "line 2")
            #expect(item["field"] == "lat")

            // Movements: one on a stored route, one on a route the store does not have.
            let movements = "id,route_id,departs_at\nmv-new,gwadar-turbat-m8,2025-06-03T05:00:00Z\nmv-lost,nowhere,2025-06-03T05:00:00Z\n"
            let added = try await server.post("/v1/movements", movements, token: SafetyTests.writeToken, contentType: "text/csv")
            #expect(added.status == 200, "\(added.text)")
            #expect(try added.json["imported"] == 1)
            #expect(try added.json["refused"] == 1)
            #expect(try added.json["warnings"]?.arrayValue?.first?.stringValue?.contains("movement mv-lost") == true)
            let fresh = try await server.get("/v1/movements/mv-new", token: SafetyTests.readToken).json
            #expect(fresh["latest_score"] == .null)
            _ = try problem(try await server.post("/v1/movements", movements, token: SafetyTests.writeToken,
                                                  contentType: "application/xml"), status: 415)
        }
    }

    @Test func withoutAStoreTheStoreEndpointsSaySo() async throws {
        try await withServer { server in
            let answer = try problem(try await server.get("/v1/runs"), status: 404)
            #expect(answer["detail"]?.stringValue?.contains("--store") == true)
            #expect(try await server.get("/readyz").json["store"] == "none")
            // Writes are refused before anything else when no token can allow them.
            _ = try problem(try await server.post("/v1/incidents", "id,date,lat,lon\n", contentType: "text/csv"), status: 401)
        }
    }
}

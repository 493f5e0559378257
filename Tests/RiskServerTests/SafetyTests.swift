import Foundation
import Geo
import Logging
import Testing
@testable import RiskServer

/// Tokens, limits and load over real HTTP.
@Suite(.serialized) struct SafetyTests {
    static let readToken = "planner-read-token"
    static let writeToken = "dispatch-write-token"
    static let tokenFile = """
    read \(readToken.sha256) dashboard
    write \(writeToken.sha256) dispatch
    """

    let feature = routeFeature("r", (67.0, 24.9), (67.2, 24.95))

    @Test func scoringNeedsAKnownTokenWhenTokensAreConfigured() async throws {
        let logs = LogCapture()
        try await withServer(options: { $0.tokens = try! TokenTable(parsing: Self.tokenFile, file: "tokens") }, logger: logs.logger) { server in
            let none = try await server.post("/v1/score", feature)
            _ = try problem(none, status: 401)
            #expect(none.header("WWW-Authenticate") == "Bearer realm=\"routerisk\"")
            let unknown = try await server.post("/v1/score", feature, token: "guess")
            _ = try problem(unknown, status: 401)
            #expect(unknown.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)
            let basic = try await server.request("POST", "/v1/score", body: Data(feature.utf8),
                                                 headers: ["Content-Type": "application/geo+json", "Authorization": "Basic \(Self.readToken)"])
            _ = try problem(basic, status: 401)
            #expect(try await server.post("/v1/score", feature, token: Self.readToken).status == 200)
            #expect(try await server.post("/v1/score", feature, token: Self.writeToken).status == 200)
            // The open endpoints stay open.
            #expect(try await server.get("/healthz").status == 200)
            #expect(try await server.get("/metrics").status == 200)
        }
        // Every request was logged, and no token ever was.
        #expect(logs.text.contains("POST /v1/score 401"))
        #expect(logs.text.contains("POST /v1/score 200"))
        for secret in [Self.readToken, Self.writeToken, "guess"] { #expect(!logs.text.contains(secret)) }
    }

    @Test func bodiesRoutesAndVerticesOverTheLimitsAre413() async throws {
        let three = collection([routeFeature("a", (67.0, 24.9), (67.1, 24.9)), routeFeature("b", (67.0, 25.0), (67.1, 25.0)),
                                routeFeature("c", (67.0, 25.1), (67.1, 25.1))])
        try await withServer(options: { $0.limits.maxRoutes = 2 }) { server in
            let answer = try problem(try await server.post("/v1/score", three), status: 413)
            #expect(answer["detail"] == "routes: 3 is over the limit of 2")
        }
        try await withServer(options: { $0.limits.maxVertices = 5 }) { server in
            let answer = try problem(try await server.post("/v1/score", three), status: 413)
            #expect(answer["detail"] == "vertices: 6 is over the limit of 5")
            #expect(try await server.post("/v1/score", routeFeature("a", (67.0, 24.9), (67.1, 24.9))).status == 200)
        }
        // Three 0.1-degree east-west lines near 25 N: about 10.1 km each (cos 25 x 111.3 km).
        try await withServer(options: { $0.limits.maxRouteKm = 25 }) { server in
            let answer = try problem(try await server.post("/v1/score", three), status: 413)
            #expect(answer["detail"] == "route-km: 31 is over the limit of 25")
        }
        try await withServer(options: { $0.limits.maxBodyBytes = 100 }) { server in
            let answer = try problem(try await server.post("/v1/score", three), status: 413)
            #expect(answer["detail"]?.stringValue?.contains("body size in bytes") == true)
        }
    }

    /// A request that cannot finish in time is answered 503 with Retry-After at the limit, not
    /// when the work ends.
    @Test func requestsPastTheTimeLimitAre503WithRetryAfter() async throws {
        // Many long routes on the exact path: far more than 50 ms of work.
        let long = collection((0..<40).map { routeFeature("r\($0)", (61.0, 25.0 + Double($0) * 0.2), (74.0, 34.0)) })
        try await withServer(options: { $0.limits.timeLimit = .milliseconds(50); $0.limits.retryAfterSeconds = 7 }) { server in
            let started = Date()
            let answer = try await server.post("/v1/score?exact=true", long)
            // Read on the client's own clock: the test's task may wait for the cooperative pool.
            let (json, seconds) = (try problem(answer, status: 503), Date().timeIntervalSince(started))
            #expect(json["type"] == "urn:routerisk:problem:time-limit")
            #expect(answer.header("Retry-After") == "7")
            // The server's own account of the request's time.
            let metrics = try await server.get("/metrics").text
            #expect(metrics.contains("routerisk_http_request_duration_seconds_bucket{route=\"/v1/score\",method=\"POST\",le=\"0.5\"} 1"), "\(seconds) s")
        }
    }

    /// With one slot and no queue, of several requests at once the ones that find the slot taken
    /// are refused at once with 503 and Retry-After; the others are scored.
    @Test func scoringBeyondTheSlotsAndQueueIs503() async throws {
        let long = collection((0..<10).map { routeFeature("r\($0)", (61.0, 25.0 + Double($0) * 0.2), (74.0, 34.0)) })
        try await withServer(options: { $0.limits.scoringSlots = 1; $0.limits.queueLength = 0 }) { server in
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let answer = try await server.post("/v1/score?exact=true", long)
                        return (answer.status, answer.header("Retry-After"))
                    }
                }
                var all: [(Int, String?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.contains { $0.0 == 200 })
            #expect(statuses.contains { $0.0 == 503 })
            #expect(statuses.allSatisfy { $0.0 == 200 || ($0.0 == 503 && $0.1 == "1") })
            let metrics = try await server.get("/metrics").text
            let refused = statuses.filter { $0.0 == 503 }.count
            #expect(metrics.contains("routerisk_http_requests_total{route=\"/v1/score\",method=\"POST\",status=\"503\"} \(refused)"))
        }
    }

    @Test func corsIsOffUnlessConfigured() async throws {
        try await withServer { server in
            let answer = try await server.request("GET", "/healthz", headers: ["Origin": "https://planner.example"])
            #expect(answer.header("Access-Control-Allow-Origin") == nil)
        }
        try await withServer(options: { $0.corsOrigin = "https://planner.example" }) { server in
            let answer = try await server.request("GET", "/healthz", headers: ["Origin": "https://planner.example"])
            #expect(answer.header("Access-Control-Allow-Origin") == "https://planner.example")
        }
    }
}

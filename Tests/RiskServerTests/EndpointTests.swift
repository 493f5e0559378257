import Foundation
import Geo
import Testing
@testable import RiskServer

/// The open endpoints and the error answers, over real HTTP on a loopback port.
@Suite(.serialized) struct EndpointTests {
    @Test func healthAndReadinessAnswerJSON() async throws {
        try await withServer { server in
            let health = try await server.get("/healthz")
            #expect(health.status == 200)
            #expect(try health.json["status"] == "ok")
            let ready = try await server.get("/readyz")
            #expect(ready.status == 200)
            let snapshot = try #require(try ready.json["snapshot"])
            #expect(snapshot["revision"] == 1)
            #expect(snapshot["incidents"]?.numberValue == Double(bundledBase.incidents.count))
            #expect(snapshot["zones"]?.numberValue == Double(bundledBase.zones.count))
        }
    }

    @Test func servesTheRepositorysOpenAPIDocument() async throws {
        try await withServer { server in
            let answer = try await server.get("/openapi.json")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.text == openAPIText)
        }
    }

    /// Every endpoint the server routes is in the document with the same method, and the
    /// document lists nothing the server does not serve.
    @Test func theDocumentDescribesExactlyTheEndpoints() throws {
        let paths = try #require(try JSONValue.parse(openAPIText)["paths"]?.objectMembers)
        let documented = Set(paths.flatMap { path in
            (path.value.objectMembers ?? []).map { "\($0.key.uppercased()) \(path.key)" }
        })
        let served = Set(Endpoint.all.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == served)
    }

    @Test func unknownPathsAndWrongMethodsAreProblems() async throws {
        try await withServer { server in
            let missing = try problem(try await server.get("/v2/nothing"), status: 404)
            #expect(missing["type"] == "urn:routerisk:problem:not-found")
            let wrongMethod = try await server.request("DELETE", "/healthz")
            _ = try problem(wrongMethod, status: 405)
            #expect(wrongMethod.header("Allow") == "GET")
            let getScore = try await server.get("/v1/score")
            _ = try problem(getScore, status: 405)
            #expect(getScore.header("Allow") == "POST")
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await withServer { server in
            for _ in 0..<3 { _ = try await server.get("/healthz") }
            _ = try await server.get("/nowhere")
            let answer = try await server.get("/metrics")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = answer.text.split(separator: "\n").map(String.init)
            #expect(lines.contains("routerisk_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3"))
            #expect(lines.contains("routerisk_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"))
            #expect(lines.contains("routerisk_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\"} 3"))
            #expect(lines.contains("routerisk_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"+Inf\"} 3"))
            #expect(lines.contains("routerisk_snapshot_revision 1"))
            // Every sample line is NAME{LABELS} VALUE or NAME VALUE, and every metric has HELP and TYPE.
            for line in lines where !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(lines.contains { $0.hasPrefix("# TYPE \(name) ") || $0.hasPrefix("# TYPE \(name.replacingOccurrences(of: "_bucket", with: "").replacingOccurrences(of: "_sum", with: "").replacingOccurrences(of: "_count", with: "")) ") }, "\(line)")
                #expect(Double(line.split(separator: " ").last ?? "") != nil, "\(line)")
            }
        }
    }
}

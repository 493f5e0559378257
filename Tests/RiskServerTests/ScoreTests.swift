import Foundation
import Geo
import TestSupport
import Testing
@testable import RiskServer

/// The built `routerisk`, next to the test bundle.
let routeriskExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("routerisk")

/// Runs `routerisk` in the repository and returns its stdout; a non-zero exit fails the test.
func runRouterisk(_ arguments: [String]) throws -> String {
    let run = try runChild(routeriskExecutable, arguments, in: packageRoot, timeout: 300)
    #expect(run.status == 0, "\(run.stderr)")
    return run.stdout
}

/// Every bundled route in one FeatureCollection, as a planning tool would send them.
let bundledRoutesCollection: String = {
    let folder = packageRoot.appendingPathComponent("data/routes")
    let names = try! FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".geojson") }.sorted()
    var features: [JSONValue] = []
    for name in names {
        let value = try! JSONValue.parse(Data(contentsOf: folder.appendingPathComponent(name)))
        features += value["features"]?.arrayValue ?? [value]
    }
    return JSONValue.object([.init("type", "FeatureCollection"), .init("features", .array(features))]).serialized()
}()

/// A two-vertex route feature.
func routeFeature(_ id: String, _ a: (Double, Double), _ b: (Double, Double)) -> String {
    #"{"type":"Feature","properties":{"id":"\#(id)"},"geometry":{"type":"LineString","coordinates":[[\#(a.0),\#(a.1)],[\#(b.0),\#(b.1)]]}}"#
}

func collection(_ features: [String]) -> String {
    #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#
}

@Suite(.serialized) struct ScoreTests {
    /// The server's JSON is the command line's, byte for byte, for the same routes and options.
    @Test(arguments: [
        ("as_of=2025-06-01T00:00:00Z", ["--as-of", "2025-06-01T00:00:00Z"]),
        ("as_of=2024-12-31&rank_by=peak_hazard&top=4&exact=true", ["--as-of", "2024-12-31", "--rank-by", "peak_hazard", "--top", "4", "--exact"]),
    ])
    func answersWhatTheCommandLinePrints(query: String, flags: [String]) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rr-serve-\(UUID().uuidString).geojson")
        try bundledRoutesCollection.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let printed = try runRouterisk(["score", file.path, "--format", "json"] + flags)
        #expect(printed.contains("\"routes\""))
        try await withServer { server in
            let answer = try await server.post("/v1/score?\(query)", bundledRoutesCollection)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.text == printed)
        }
    }

    @Test func otherFormatsFollowTheAcceptHeader() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rr-serve-\(UUID().uuidString).geojson")
        try bundledRoutesCollection.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withServer { server in
            for (accept, format) in [("text/csv", "csv"), ("application/geo+json", "geojson"), ("text/plain", "table")] {
                let printed = try runRouterisk(["score", file.path, "--as-of", "2025-06-01", "--format", format, "--explain"])
                let answer = try await server.request("POST", "/v1/score?as_of=2025-06-01&explain=true", body: Data(bundledRoutesCollection.utf8),
                                                      headers: ["Content-Type": "application/geo+json", "Accept": accept])
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix(accept) == true)
                #expect(answer.text == printed, "\(accept)")
            }
            _ = try problem(try await server.request("POST", "/v1/score", body: Data(bundledRoutesCollection.utf8),
                                                      headers: ["Content-Type": "application/geo+json", "Accept": "image/png"]), status: 406)
        }
    }

    /// One route across a single zone-free stretch with no incident near: its score follows from
    /// the spec's formulas alone (no base hazard, no incidents within the cutoff: exposure 0).
    @Test func aSingleFeatureIsScoredAndCounted() async throws {
        // A north-south line in the open sea south of Karachi, far from every incident and zone.
        let feature = routeFeature("sea", (66.0, 22.0), (66.0, 22.5))
        try await withServer { server in
            let answer = try await server.post("/v1/score?as_of=2025-06-01", feature)
            #expect(answer.status == 200, "\(answer.text)")
            let route = try #require(try answer.json["routes"]?.arrayValue?.first)
            // Geodesic length of 0.5 degree of latitude at 22.25 N: the meridian arc M(phi) integrated.
            let a = 6_378_137.0, e2 = 0.006_694_379_990_14
            var arc = 0.0
            let steps = 1000
            for i in 0..<steps {
                let phi = (22.0 + (Double(i) + 0.5) * 0.5 / Double(steps)) * .pi / 180
                arc += a * (1 - e2) / pow(1 - e2 * sin(phi) * sin(phi), 1.5) * (0.5 / Double(steps)) * .pi / 180
            }
            let length = try #require(route["length_km"]?.numberValue)
            #expect(abs(length - arc / 1000) / (arc / 1000) < 1e-5)
            #expect(route["exposure"] == 0)
            #expect(route["band"] == "LOW")
            let metrics = try await server.get("/metrics")
            #expect(metrics.text.contains("\nrouterisk_routes_scored_total 1\n"))
        }
    }

    @Test func badFeaturesAreNamedWithTheirFieldAndReason() async throws {
        let good = routeFeature("good", (67.0, 24.9), (67.2, 24.95))
        let offGlobe = routeFeature("bad", (67.0, 24.9), (200.0, 24.95))
        try await withServer { server in
            // Lenient, as on the command line: the bad feature is skipped with a warning.
            let lenient = try await server.post("/v1/score?as_of=2025-06-01", collection([good, offGlobe]))
            #expect(lenient.status == 200)
            let warnings = try #require(try lenient.json["warnings"]?.arrayValue)
            #expect(warnings.count == 1)
            #expect(warnings.first?.stringValue?.hasPrefix("body: feature 2: field \"geometry\": ") == true)

            let strict = try problem(try await server.post("/v1/score?strict=true", collection([good, offGlobe])), status: 422)
            let item = try #require(strict["errors"]?.arrayValue?.first)
            #expect(item["source"] == "body")
            #expect(item["location"] == "feature 2")
            #expect(item["field"] == "geometry")
            #expect(item["reason"]?.stringValue?.isEmpty == false)

            // Nothing left to score: the skipped features are the answer.
            let nothing = try problem(try await server.post("/v1/score", collection([offGlobe])), status: 422)
            #expect(nothing["errors"]?.arrayValue?.count == 1)

            _ = try problem(try await server.post("/v1/score", "this is not JSON"), status: 422)
            let duplicate = try problem(try await server.post("/v1/score", collection([good, good])), status: 422)
            #expect(duplicate["errors"]?.arrayValue?.first?["field"] == "id")
        }
    }

    /// Issue 14 over HTTP: `Accept: text/html` answers the offline map page of the same routes.
    @Test func theMapPageIsServedToo() async throws {
        let route = routeFeature("karachi", (67.0, 24.9), (67.2, 24.95))
        try await withServer { server in
            let page = try await server.request("POST", "/v1/score?as_of=2025-06-01", body: Data(collection([route]).utf8),
                                                headers: ["Content-Type": "application/geo+json", "Accept": "text/html"])
            #expect(page.status == 200)
            #expect(page.headers["Content-Type"]?.hasPrefix("text/html") == true)
            let text = String(decoding: page.body, as: UTF8.self)
            #expect(text.hasPrefix("<!DOCTYPE html>") && text.contains("karachi"))
        }
    }

    /// Issue 9 over HTTP: when no incident applies at the evaluation time (the bundled seeds
    /// start in 2007), the answer is a problem that says why, not a table of silent LOWs; with
    /// `allow_empty=true` the routes are scored on zones alone.
    @Test func nothingApplyingIsAProblemUnlessAllowed() async throws {
        let route = routeFeature("karachi", (67.0, 24.9), (67.2, 24.95))
        try await withServer { server in
            let refused = try problem(try await server.post("/v1/score?as_of=2000-01-01", collection([route])), status: 422)
            #expect(refused["detail"]?.stringValue?.contains("no incident applies") == true, "\(refused)")
            #expect(refused["errors"]?.arrayValue?.first?["field"] == "as_of")
            let allowed = try await server.post("/v1/score?as_of=2000-01-01&allow_empty=true", collection([route]))
            #expect(allowed.status == 200)
            let routes = try #require(try allowed.json["routes"]?.arrayValue)
            #expect(routes.count == 1 && routes.first?["incident_exposure"]?.numberValue == 0)
        }
    }

    @Test func badRequestsAreProblemsNamingTheParameterOrHeader() async throws {
        let good = routeFeature("good", (67.0, 24.9), (67.2, 24.95))
        try await withServer { server in
            for (query, field) in [("as_of=yesterday", "as_of"), ("rank_by=fear", "rank_by"), ("top=0", "top"),
                                   ("exact=maybe", "exact"), ("rankby=exposure", "rankby")] {
                let answer = try problem(try await server.post("/v1/score?\(query)", good), status: 400)
                #expect(answer["errors"]?.arrayValue?.first?["field"]?.stringValue == field, "\(query)")
                #expect(answer["errors"]?.arrayValue?.first?["source"] == "query")
            }
            let media = try problem(try await server.post("/v1/score", good, contentType: "application/vnd.google-earth.kml+xml"), status: 415)
            #expect(media["errors"]?.arrayValue?.first?["field"] == "Content-Type")
        }
    }
}

extension ScoreTests {
    /// A route to the south pole cannot be projected in the working conic; on the fast path (over 20,000 route-km) it must
    /// fail on its own, as a warning naming it, not take the request down with a 500.
    @Test func aRouteThatCannotBeProjectedFailsAlone() async throws {
        let polar = routeFeature("polar", (0.0, -80.0), (0.0, -90.0))
        // Sixteen routes of about 1,650 km across Pakistan: the fast path.
        let long = (0..<16).map { routeFeature("long\($0)", (61.0, 25.0 + Double($0) * 0.05), (74.0, 34.0)) }
        try await withServer { server in
            let answer = try await server.post("/v1/score?as_of=2025-06-01", collection([polar] + long))
            #expect(answer.status == 200, "\(answer.text)")
            let json = try answer.json
            #expect(json["routes"]?.arrayValue?.count == 16)
            #expect(json["warnings"]?.arrayValue?.first?.stringValue?.hasPrefix("route: polar: ") == true)
            let strict = try problem(try await server.post("/v1/score?strict=true", collection([polar] + long)), status: 422)
            #expect(strict["errors"]?.arrayValue?.first?["location"] == "polar")
        }
    }
}

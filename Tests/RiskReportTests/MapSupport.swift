import Foundation
import Geo
import RiskCore
import RiskIO
@testable import RiskReport

/// The checkout's root, for the bundled demo data.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The demo's evaluation time, as `make demo` scores.
let demoTime = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

/// The bundled demo (data/routes, data/zones, seeds/incidents.csv, data/model.json) scored
/// exactly and ranked by exposure, with its scoring data.
func demoInputs() async throws -> (ranked: [(rank: Int, result: RouteResult)], routes: [Route], data: ScoringData) {
    let model = try ModelReader.read(contentsOf: repositoryRoot.appendingPathComponent("data/model.json"))
    let zoneFolder = repositoryRoot.appendingPathComponent("data/zones")
    let zones = try ["provinces.geojson", "special.geojson"].flatMap {
        try ZoneReader().read(contentsOf: zoneFolder.appendingPathComponent($0)).items
    }
    let incidents = try IncidentReader().read(contentsOf: repositoryRoot.appendingPathComponent("seeds/incidents.csv")).items
    let routeFolder = repositoryRoot.appendingPathComponent("data/routes")
    let routeFiles = try FileManager.default.contentsOfDirectory(atPath: routeFolder.path).filter { $0.hasSuffix(".geojson") }.sorted()
    let routes = try RouteReader().readAll(routeFiles.map { routeFolder.appendingPathComponent($0) }).items
    let data = try ScoringData(incidents: incidents, zones: zones, model: model)
    let results = try await scoreRoutes(routes, asOf: demoTime, data: data, path: .exact).map { try $0.get() }
    return (rank(results), routes, data)
}

func demoScene() async throws -> MapScene {
    let (ranked, routes, data) = try await demoInputs()
    let shapes = Dictionary(uniqueKeysWithValues: routes.map { ($0.id, $0.shape) })
    return try MapScene.build(kind: .score, title: "Route risk: the demo routes", mapTime: demoTime,
                              scored: ranked.map { MapScene.Scored(rank: $0.rank, result: $0.result, shape: shapes[$0.result.id]!) },
                              data: data)
}

import Foundation
import Geo
import RiskCore
import RiskIO
@testable import RiskReport

/// The checkout's root, for the bundled demo data.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The demo's evaluation time, as `make demo` scores.
let demoTime = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

struct DemoInputs: Sendable {
    var ranked: [(rank: Int, result: RouteResult)]
    var routes: [Route]
    var data: ScoringData
    var scene: MapScene
}

/// The bundled demo (data/routes, data/zones, seeds/incidents.csv, data/model.json) scored
/// exactly and ranked by exposure, with its scoring data and map scene; made once for all tests.
let demo = Task<DemoInputs, any Error> {
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
    let ranked = rank(try await scoreRoutes(routes, asOf: demoTime, data: data, path: .exact).map { try $0.get() })
    let shapes = Dictionary(uniqueKeysWithValues: routes.map { ($0.id, $0.shape) })
    let scene = try MapScene.build(kind: .score, title: "Route risk: the demo routes", mapTime: demoTime,
                                   scored: ranked.map { MapScene.Scored(rank: $0.rank, result: $0.result, shape: shapes[$0.result.id]!) },
                                   data: data)
    return DemoInputs(ranked: ranked, routes: routes, data: data, scene: scene)
}

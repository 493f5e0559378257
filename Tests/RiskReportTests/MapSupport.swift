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

/// A batch page over the demo: each route as a movement `mv-<rank>`, the second escalated from
/// MODERATE by its leading incident.
func batchScene() async throws -> MapScene {
    let demo = try await demo.value
    let shapes = Dictionary(uniqueKeysWithValues: demo.routes.map { ($0.id, $0.shape) })
    var bands: [Band: Int] = [:]
    for (_, result) in demo.ranked { bands[result.band, default: 0] += 1 }
    let scored = demo.ranked.map { rank, result in
        MapScene.Scored(rank: rank, movementID: "mv-\(rank)", result: result, shape: shapes[result.id]!,
                        escalation: rank == 2 ? MapScene.Escalation(oldBand: .moderate, oldScore: 40, driver: result.topIncidents.first?.id) : nil)
    }
    let run = MapScene.RunSummary(id: 7, asOf: demoTime, window: "24h", selected: demo.ranked.count + 1, scored: demo.ranked.count,
                                  failed: [("mv-broken", "route r9: no such route")], bands: bands)
    return try MapScene.build(kind: .batch, title: "Batch run 7", mapTime: demoTime, scored: scored, data: demo.data, run: run)
}

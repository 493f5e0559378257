import Foundation
import Testing

/// `routerisk batch` carried forward against `batch --full`, through the built binary: after each
/// kind of change the store's next run must score every movement as a full run on a copy does.
@Suite struct BatchCommandTests {
    static let asOf = "2025-06-01T00:00:00Z"
    static let run = ["--as-of", asOf, "--window", "7d", "--format", "json"]
    static let cutoffKm = 30.0  // the model's sigma_km 10 times cutoff_sigmas 3

    /// Two meridian routes of our own in western Balochistan, far from the generated incidents
    /// (which cluster around cities), each with one old incident 3 km off it.
    static let edgeRoutes = [(id: "edge-1", line: [LonLat(61.5, 27), LonLat(61.5, 28)]),
                             (id: "edge-2", line: [LonLat(62.2, 27.2), LonLat(62.2, 28.2)])]

    /// A store with generated routes, movements and incidents, two zones, a model, and the two
    /// edge routes with a movement each; then a first batch.
    func prepare(_ scratch: Scratch) throws {
        #expect(try scratch.routerisk(["generate", "--out", "gen", "--movements", "30", "--incidents", "400", "--min-km", "50",
                                       "--max-km", "250", "--days", "3", "--seed", "11"]).status == 0)
        try scratch.write("zones.geojson", zonesGeoJSON([
            ZoneBox(id: "belt", west: 66, south: 24, east: 70, north: 29, base: 0.05, multiplier: 1.5),
            ZoneBox(id: "west", west: 61, south: 25, east: 64, north: 29, base: 0.02, multiplier: 1.2),
        ]))
        try scratch.write("model.json", #"{"category_weights": {"suicide bombing": 2, "bombing": 1.5}, "score_scale": 150}"#)
        try scratch.write("edge.geojson", routesGeoJSON(Self.edgeRoutes))
        try scratch.write("edge-movements.csv", """
            id,route_id,departs_at,status,labels
            edge-m1,edge-1,2025-06-02T06:00:00Z,scheduled,
            edge-m2,edge-2,2025-06-03T09:30:00Z,scheduled,
            """)
        try scratch.write("edge-incidents.csv", incidentsCSV(Self.edgeRoutes.enumerated().map { n, route in
            (id: "old-\(n + 1)", date: "2023-03-01", at: Vincenty.destination(from: LonLat(route.line[0].lon, route.line[0].lat + 0.3),
                                                                                azimuth: 270, distanceKm: 3), killed: 2, injured: 4)
        }))
        let store = ["--store", "ops.sqlite"]
        #expect(try scratch.routerisk(["store", "init", "--empty"] + store).status == 0)
        for (kind, file) in [("routes", "gen/routes.geojson"), ("routes", "edge.geojson"), ("movements", "gen/movements.csv"),
                             ("movements", "edge-movements.csv"), ("incidents", "gen/incidents.csv"), ("incidents", "edge-incidents.csv"),
                             ("zones", "zones.geojson"), ("model", "model.json")] {
            let imported = try scratch.routerisk(["store", "import", kind, file] + store)
            #expect(imported.status == 0 && imported.stderr.isEmpty, "\(kind) \(file): \(imported.stderr)")
        }
        let first = try scratch.routerisk(["batch"] + store + Self.run)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try decode(BatchOutput.self, first).run.scored == 32)
    }

    func scores(_ scratch: Scratch, store: String) throws -> [String: RouteOutput] {
        let run = try scratch.routerisk(["store", "scores", "--run", "latest", "--format", "json", "--store", store])
        #expect(run.status == 0, "\(run.stderr)")
        return Dictionary(uniqueKeysWithValues: try decode(StoredScores.self, run).scores.map { (try #require($0.movementId), $0) })
    }

    /// Runs `batch` on the store and `batch --full` on a copy of it, and returns both runs' scores
    /// with the first run's, and `store status` after the incremental run.
    func incrementalAndFull(_ scratch: Scratch) throws -> (incremental: [String: RouteOutput], full: [String: RouteOutput],
                                                             before: [String: RouteOutput], status: String) {
        let before = try scores(scratch, store: "ops.sqlite")
        try scratch.copyStore("ops.sqlite", to: "copy.sqlite")
        let incremental = try scratch.routerisk(["batch", "--store", "ops.sqlite"] + Self.run)
        #expect(incremental.status == 0, "\(incremental.stderr)")
        let full = try scratch.routerisk(["batch", "--full", "--store", "copy.sqlite"] + Self.run)
        #expect(full.status == 0, "\(full.stderr)")
        let status = try scratch.routerisk(["store", "status", "--store", "ops.sqlite"]).stdout
        return (try scores(scratch, store: "ops.sqlite"), try scores(scratch, store: "copy.sqlite"), before, status)
    }

    enum Change: String, CaseIterable, CustomStringConvertible {
        case model, zone, incident, route
        var description: String { rawValue }
    }

    /// The first run's leading incident and route of the riskiest generated movement: what the
    /// incident and route changes alter.
    func riskiest(_ scores: [String: RouteOutput]) throws -> RouteOutput {
        try #require(scores.values.filter { $0.movementId?.hasPrefix("movement-") == true }.max { $0.exposure < $1.exposure })
    }

    @Test(arguments: Change.allCases)
    func afterAChangeTheNextRunEqualsAFullRun(change: Change) throws {
        let scratch = try Scratch()
        try prepare(scratch)
        let first = try scores(scratch, store: "ops.sqlite")
        let target = try riskiest(first)
        let store = ["--store", "ops.sqlite"]
        switch change {
        case .model:
            try scratch.write("model-2.json",
                              #"{"category_weights": {"suicide bombing": 2, "bombing": 1.5}, "score_scale": 150, "sigma_km": 8}"#)
            #expect(try scratch.routerisk(["store", "import", "model", "model-2.json"] + store).status == 0)
        case .zone:
            let belt = ZoneBox(id: "belt", west: 66, south: 24, east: 70, north: 29, base: 0.2, multiplier: 1.1)
            try scratch.write("zones-2.geojson", zonesGeoJSON([belt]))
            #expect(try scratch.routerisk(["store", "import", "zones", "zones-2.geojson"] + store).status == 0)
        case .incident:
            // The riskiest movement's leading incident, same id, with more casualties and moved 2 km.
            let leading = try #require(target.topIncidents.first).id
            let row = try #require(String(decoding: try scratch.read("gen/incidents.csv"), as: UTF8.self).split(separator: "\n")
                .first { $0.hasPrefix(leading + ",") })
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let moved = Vincenty.destination(from: LonLat(try #require(Double(fields[3])), try #require(Double(fields[2]))),
                                             azimuth: 45, distanceKm: 2)
            try scratch.write("changed.csv", incidentsCSV([(id: leading, date: fields[1], at: moved, killed: 60, injured: 10)]))
            let imported = try scratch.routerisk(["store", "import", "incidents", "changed.csv"] + store)
            #expect(imported.stdout == "0 incidents added, 1 changed\n", "\(imported.stdout)")
        case .route:
            // The riskiest movement's route, same id, moved 0.05 degrees east.
            let routeID = try #require(target.routeId)
            struct Routes: Decodable {
                struct Feature: Decodable {
                    struct Properties: Decodable { var id: String }
                    struct Geometry: Decodable { var coordinates: [[Double]] }
                    var properties: Properties
                    var geometry: Geometry
                }
                var features: [Feature]
            }
            let generated = try JSONDecoder().decode(Routes.self, from: scratch.read("gen/routes.geojson")).features
            let route = try #require(generated.first { $0.properties.id == routeID })
            let shifted = route.geometry.coordinates.map { LonLat($0[0] + 0.05, $0[1]) }
            try scratch.write("route-2.geojson", routesGeoJSON([(id: routeID, line: shifted)]))
            #expect(try scratch.routerisk(["store", "import", "routes", "route-2.geojson"] + store).status == 0)
        }
        let (incremental, full, before, _) = try incrementalAndFull(scratch)
        #expect(before == first)
        #expect(incremental.count == 32 && full.count == 32)
        // Every value as printed (six significant digits), rank included: the runs are the same.
        for (id, expected) in full {
            #expect(incremental[id] == expected, "\(change): \(id)\nincremental \(String(describing: incremental[id]))\nfull \(expected)")
        }
        // The change must matter, or the comparison proves nothing.
        let moved = full.filter { id, score in score.exposure != first[id]?.exposure }.count
        #expect(moved >= 1, "\(change) changed no score")
        print("batch after a \(change) change: \(moved) of \(full.count) scores moved")
    }

    @Test func newIncidentsNearTheEdgeOfTheCutoffAreAddedAsAFullRunWould() throws {
        let scratch = try Scratch()
        try prepare(scratch)
        // Deadly incidents between 0.8 and 1.0 of the cutoff (30 km) east of the edge routes, at
        // right angles to them (a geodesic leaving a meridian at azimuth 90 is the shortest way
        // back to it), dated the day before the first departure; and one just beyond the cutoff.
        var added: [(id: String, date: String, at: LonLat, killed: Int, injured: Int)] = []
        for (n, route) in Self.edgeRoutes.enumerated() {
            for (k, fraction) in [0.82, 0.9, 0.97, 1.03].enumerated() {
                let along = LonLat(route.line[0].lon, route.line[0].lat + 0.2 + 0.2 * Double(k))
                let site = Vincenty.destination(from: along, azimuth: 90, distanceKm: fraction * Self.cutoffKm)
                added.append((id: "edge-new-\(n + 1)-\(k + 1)", date: "2025-05-31T12:00:00Z", at: site, killed: 25, injured: 40))
            }
        }
        try scratch.write("new.csv", incidentsCSV(added))
        let imported = try scratch.routerisk(["store", "import", "incidents", "new.csv", "--store", "ops.sqlite"])
        #expect(imported.stdout == "8 incidents added, 0 changed\n", "\(imported.stdout)")

        let (incremental, full, before, status) = try incrementalAndFull(scratch)
        // The incremental run carried movements forward (so the comparison tests that path).
        let latest = try #require(status.split(separator: "\n").last { $0.contains("run 2:") })
        #expect(latest.contains("incremental") && !latest.contains("(0 reused)"), "\(latest)")
        #expect(incremental.count == 32 && full.count == 32)
        for (id, expected) in full {
            let got = try #require(incremental[id], "\(id)")
            // Six significant digits are printed: 1e-9 relative means the same printed values.
            for (name, a, b) in [("exposure", got.exposure, expected.exposure), ("base", got.baseExposure, expected.baseExposure),
                                 ("incident", got.incidentExposure, expected.incidentExposure),
                                 ("mean", got.meanHazard, expected.meanHazard), ("score", got.score, expected.score),
                                 ("length", got.lengthKm, expected.lengthKm)] {
                #expect(relativeDifference(a, b) <= 1e-9, "\(id) \(name): incremental \(a), full \(b)")
            }
            #expect(got.band == expected.band && got.zones == expected.zones && got.topIncidents == expected.topIncidents, "\(id)")
            // The updated peak is the stored profile's highest sample raised by the new incidents; the
            // full run refines it between samples: the README's bound is the spec's 0.5 %.
            #expect(got.peakHazard <= expected.peakHazard * (1 + 1e-5) && got.peakHazard >= expected.peakHazard * 0.995,
                    "\(id) peak: incremental \(got.peakHazard), full \(expected.peakHazard)")
        }
        // Within the cutoff the new incidents add a visible share to both edge movements.
        for id in ["edge-m1", "edge-m2"] {
            let now = try #require(full[id]), then = try #require(before[id])
            #expect(now.incidentExposure > then.incidentExposure * 1.05, "\(id): \(then.incidentExposure) -> \(now.incidentExposure)")
            #expect(now.topIncidents.contains { $0.id.hasPrefix("edge-new-") && $0.closestKm > 0.8 * Self.cutoffKm })
            #expect(!now.topIncidents.contains { $0.id == "edge-new-\(id.suffix(1))-4" }, "an incident beyond the cutoff adds nothing")
        }
    }
}

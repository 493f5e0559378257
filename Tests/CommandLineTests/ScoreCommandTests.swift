import Foundation
import Testing

/// `routerisk score` through the built binary, on inputs written by the tests.
@Suite struct ScoreCommandTests {
    static let asOf = "2025-06-01T00:00:00Z"

    /// `score` on the given files with the JSON output.
    func score(_ scratch: Scratch, routes: String, extra: [String] = []) throws -> CommandRun {
        try scratch.routerisk(["score", routes, "--incidents", "incidents.csv", "--zones", "zones.geojson", "--model", "model.json",
                               "--as-of", Self.asOf, "--format", "json"] + extra)
    }

    /// `route-km` of routes: a probe meridian through one fresh incident, fillers along nearby
    /// meridians inside a zone with a base, and a tail whose length brings the total to `totalKm`
    /// (lengths by Vincenty's formulae).
    static func routes(totalKm: Double) -> [(id: String, line: [LonLat])] {
        var routes = [(id: "probe", line: [LonLat(64, 24), LonLat(64, 26)])]
        for k in 0..<98 {
            routes.append((id: "filler-\(k)", line: [LonLat(70 + 0.02 * Double(k), 28), LonLat(70 + 0.02 * Double(k), 29.8)]))
        }
        let missing = totalKm - routes.reduce(0) { $0 + Vincenty.lengthKm($1.line) }
        // The tail runs north from 28N along 69.5E; its end is found by bisection on latitude.
        var (low, high) = (28.0, 31.0)
        while high - low > 1e-10 {
            let middle = (low + high) / 2
            if Vincenty.distanceKm(LonLat(69.5, 28), LonLat(69.5, middle)) < missing { low = middle } else { high = middle }
        }
        routes.append((id: "tail", line: [LonLat(69.5, 28), LonLat(69.5, low)]))
        return routes
    }

    func writeInputs(_ scratch: Scratch) throws {
        // No casualties, no category, dated at the evaluation time: w = 1 and D = 1.
        try scratch.write("incidents.csv",
                          incidentsCSV([(id: "probe-incident", date: Self.asOf, at: LonLat(64, 25), killed: 0, injured: 0)]))
        try scratch.write("zones.geojson",
                          zonesGeoJSON([ZoneBox(id: "belt", west: 69.9, south: 28.5, east: 72, north: 29, base: 0.1, multiplier: 2)]))
        try scratch.write("model.json", "{}\n")
        try scratch.write("under.geojson", routesGeoJSON(Self.routes(totalKm: 19_990)))
        try scratch.write("over.geojson", routesGeoJSON(Self.routes(totalKm: 20_010)))
    }

    /// The probe's exposure: the truncated Gaussian over a route that passes through the incident
    /// and runs on past the cutoff both ways, `sigma sqrt(2 pi) erf(3 / sqrt 2)` with sigma 10 km.
    static let probeExposure = 10 * (2 * Double.pi).squareRoot() * erf(3 / 2.0.squareRoot())

    @Test func manyKilometresGoToTheHazardGridUnlessExact() throws {
        let scratch = try Scratch()
        try writeInputs(scratch)
        #expect(abs(Self.routes(totalKm: 19_990).reduce(0) { $0 + Vincenty.lengthKm($1.line) } - 19_990) < 1e-6)

        let under = try score(scratch, routes: "under.geojson")
        #expect(under.status == 0, "\(under.stderr)")
        #expect(!under.stderr.contains("hazard grid"), "19,990 km are scored exactly: \(under.stderr)")
        let over = try score(scratch, routes: "over.geojson")
        #expect(over.status == 0, "\(over.stderr)")
        #expect(over.stderr.contains("note: hazard grid: "), "20,010 km go to the grid: \(over.stderr)")
        let exact = try score(scratch, routes: "over.geojson", extra: ["--exact"])
        #expect(exact.status == 0, "\(exact.stderr)")
        #expect(!exact.stderr.contains("hazard grid"), "--exact: \(exact.stderr)")

        let underRoutes = Dictionary(uniqueKeysWithValues: try decode(ScoreOutput.self, under).routes.map { ($0.id, $0) })
        let fastRoutes = Dictionary(uniqueKeysWithValues: try decode(ScoreOutput.self, over).routes.map { ($0.id, $0) })
        let exactRoutes = Dictionary(uniqueKeysWithValues: try decode(ScoreOutput.self, exact).routes.map { ($0.id, $0) })
        #expect(underRoutes.count == 100 && fastRoutes.count == 100 && exactRoutes.count == 100)
        // The exact path scores each route on its own: the same numbers whatever else is scored.
        for (id, route) in underRoutes where id != "tail" {
            var same = try #require(exactRoutes[id])
            same.rank = route.rank
            #expect(same == route, "\(id)")
        }
        for (id, route) in exactRoutes {
            let fast = try #require(fastRoutes[id])
            #expect(relativeDifference(fast.exposure, route.exposure) < 0.01, "\(id): fast \(fast.exposure), exact \(route.exposure)")
        }
        let probe = try #require(exactRoutes["probe"]), fastProbe = try #require(fastRoutes["probe"])
        #expect(relativeDifference(probe.incidentExposure, Self.probeExposure) < 1e-4, "exact \(probe.incidentExposure)")
        #expect(relativeDifference(fastProbe.incidentExposure, Self.probeExposure) < 0.01, "fast \(fastProbe.incidentExposure)")
        // A filler's exposure is the zone's M B over its kilometres inside the zone (28.5N to 29N),
        // printed to six significant digits (up to 5e-6 relative).
        let filler = try #require(exactRoutes["filler-0"])
        #expect(relativeDifference(filler.baseExposure, 2 * 0.1 * Vincenty.distanceKm(LonLat(70, 28.5), LonLat(70, 29))) < 1e-5)
    }

    @Test func oneJobAndTwoJobsPrintTheSameJSON() throws {
        let scratch = try Scratch()
        try writeInputs(scratch)
        for path in [["--exact"], []] {
            let one = try score(scratch, routes: "over.geojson", extra: path + ["--jobs", "1"])
            let two = try score(scratch, routes: "over.geojson", extra: path + ["--jobs", "2"])
            #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
            #expect(!one.stdout.isEmpty && one.stdout == two.stdout, "\(path)")
        }
    }

    @Test func rankByOrdersByTheChosenValue() throws {
        let scratch = try Scratch()
        // A long route in a zone with a base (largest exposure, smallest mean and peak), a short one
        // through an incident (largest mean), and one passing 8 km from a deadly one (largest peak).
        try scratch.write("incidents.csv", incidentsCSV([
            (id: "near-short", date: Self.asOf, at: LonLat(68, 25.15), killed: 5, injured: 0),
            (id: "beside-medium", date: Self.asOf, at: Vincenty.destination(from: LonLat(70, 25.5), azimuth: 90, distanceKm: 8),
             killed: 50, injured: 0),
        ]))
        try scratch.write("zones.geojson",
                          zonesGeoJSON([ZoneBox(id: "plain", west: 65.5, south: 23.5, east: 66.5, north: 28.5, base: 0.3, multiplier: 1)]))
        try scratch.write("model.json", "{}\n")
        try scratch.write("routes.geojson", routesGeoJSON([
            (id: "long", line: [LonLat(66, 24), LonLat(66, 28)]),
            (id: "short", line: [LonLat(68, 25), LonLat(68, 25.3)]),
            (id: "medium", line: [LonLat(70, 25), LonLat(70, 26)]),
        ]))
        var orders: [String: [String]] = [:]
        for key in ["exposure", "mean_hazard", "peak_hazard"] {
            let run = try score(scratch, routes: "routes.geojson", extra: ["--rank-by", key])
            #expect(run.status == 0, "\(run.stderr)")
            let routes = try decode(ScoreOutput.self, run).routes
            let values = routes.map { key == "exposure" ? $0.exposure : key == "mean_hazard" ? $0.meanHazard : $0.peakHazard }
            #expect(values == values.sorted(by: >), "\(key): \(values)")
            #expect(routes.map(\.rank) == [1, 2, 3])
            for route in routes {
                // Three values printed to six significant digits, each within 5e-6.
                #expect(relativeDifference(route.meanHazard, route.exposure / route.lengthKm) < 2e-5, "\(route.id) mean")
            }
            orders[key] = routes.map(\.id)
        }
        #expect(orders["exposure"] == ["long", "medium", "short"])
        #expect(orders["mean_hazard"] == ["short", "medium", "long"])
        #expect(orders["peak_hazard"] == ["medium", "short", "long"])
    }

    /// The spec's band rule with the thresholds of a model file.
    static func band(_ score: Double, moderate: Double, high: Double, extreme: Double) -> String {
        score >= extreme ? "EXTREME" : score >= high ? "HIGH" : score >= moderate ? "MODERATE" : "LOW"
    }

    @Test func theModelFilesScoreScaleAndBandsAreUsed() throws {
        let scratch = try Scratch()
        let scale = 40.0, thresholds = (moderate: 10.0, high: 30.0, extreme: 60.0)
        try scratch.write("model.json", """
            {"score_scale": \(scale),
             "bands": {"moderate": \(thresholds.moderate), "high": \(thresholds.high), "extreme": \(thresholds.extreme)}}
            """)
        try scratch.write("incidents.csv", incidentsCSV([]))
        // One meridian route per target score, inside a zone whose base gives E = -E0 ln(1 - score / 100).
        let targets = [5.0, 20.0, 40.0, 65.0, 90.0]
        var zones: [ZoneBox] = []
        var routes: [(id: String, line: [LonLat])] = []
        for (n, target) in targets.enumerated() {
            let lon = 62.0 + Double(n)
            let exposure = -scale * log(1 - target / 100)
            zones.append(ZoneBox(id: "z\(n)", west: lon - 0.4, south: 23.5, east: lon + 0.4, north: 25.5,
                          base: exposure / Vincenty.distanceKm(LonLat(lon, 24), LonLat(lon, 25)), multiplier: 1))
            routes.append((id: "r\(n)", line: [LonLat(lon, 24), LonLat(lon, 25)]))
        }
        try scratch.write("zones.geojson", zonesGeoJSON(zones))
        try scratch.write("routes.geojson", routesGeoJSON(routes))
        // On zones alone, as allowed.
        let run = try score(scratch, routes: "routes.geojson", extra: ["--allow-empty"])
        #expect(run.status == 0, "\(run.stderr)")
        let output = try decode(ScoreOutput.self, run)
        #expect(output.model.scoreScale == scale)
        #expect(output.model.bands == ["moderate": thresholds.moderate, "high": thresholds.high, "extreme": thresholds.extreme])
        #expect(output.routes.count == targets.count)
        for route in output.routes {
            let target = targets[try #require(Int(route.id.dropFirst()))]
            // Exposure and score are printed to six significant digits (5e-6 relative): the score
            // from the printed exposure moves by at most 100 / e * 5e-6, the printed score by 5e-4.
            let expected = 100 * (1 - exp(-route.exposure / scale))
            #expect(abs(route.score - expected) < 1e-3, "\(route.id): score \(route.score), expected \(expected)")
            #expect(abs(route.score - target) < 1e-3, "\(route.id)")
            #expect(route.band == Self.band(expected, moderate: thresholds.moderate, high: thresholds.high, extreme: thresholds.extreme),
                    "\(route.id): score \(route.score)")
        }
    }
}

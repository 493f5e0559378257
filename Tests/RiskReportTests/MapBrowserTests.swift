import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskReport

/// The demo page in headless Chromium: it draws, makes no request, and behaves as a planner
/// expects when clicked. `make test` installs Chromium; without it these tests say why they skip.
@Suite(.serialized, .enabled(if: Browser.executable != nil, "Chromium is not installed (make test installs it)"))
struct MapBrowserTests {
    struct Page {
        var browser: Browser
        var url: URL
        var ranked: [(rank: Int, result: RouteResult)]
        var routes: [Route]
        var data: ScoringData
    }

    /// Writes the demo page to a temporary file and opens it at 1280 x 900.
    func openDemo(fragment: String? = nil) async throws -> Page {
        let demo = try await demo.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("demo.html")
        try MapPage.html(demo.scene).write(to: file, atomically: true, encoding: .utf8)
        let browser = try Browser()
        try browser.openPage()
        var url = file
        if let fragment { url = URL(string: file.absoluteString + "#" + fragment)! }
        try browser.load(url)
        return Page(browser: browser, url: file, ranked: demo.ranked, routes: demo.routes, data: demo.data)
    }

    @Test func drawsTheMapWithoutErrorsOrRequests() async throws {
        let page = try await openDemo()
        let b = page.browser
        #expect(try b.evaluate("document.documentElement.dataset.mapRendered") == "true")
        #expect(try b.evaluate("document.documentElement.dataset.routes") == .string(String(page.ranked.count)))
        // Every route's line is on the first view, and the canvas holds drawn pixels.
        #expect(try b.evaluate("document.getElementById('map').dataset.linesDrawn") == .string(String(page.ranked.count)))
        let painted = try b.evaluate("""
            (() => { const c = document.getElementById('map-canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              const colours = new Set(); for (let i = 0; i < d.length; i += 4 * 97) colours.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]); return colours.size; })()
            """)
        #expect((painted.numberValue ?? 0) > 20)
        #expect(b.problems.isEmpty, "\(b.problems)")
        // The page itself is the only request.
        #expect(b.requests == [page.url.absoluteString], "\(b.requests)")
    }

    /// Where a route's vertex is drawn, in viewport pixels, from the page's view (Web Mercator
    /// radians, pixels per radian) and the canvas's place: the projection written out here.
    func screenPoint(_ c: Coordinate, browser b: Browser) throws -> (x: Double, y: Double) {
        let view = try #require(try b.evaluate("document.getElementById('map').dataset.view").stringValue).split(separator: ",").map { Double($0)! }
        let rect = try b.evaluate("(() => { const r = document.getElementById('map-canvas').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
        let numbers = rect.arrayValue?.compactMap(\.numberValue)
        let box = try #require(numbers)
        let x = c.x * Double.pi / 180, y = log(tan(Double.pi / 4 + c.y * Double.pi / 360))
        return (box[0] + box[2] / 2 + (x - view[0]) * view[2], box[1] + box[3] / 2 + (view[1] - y) * view[2])
    }

    @Test func clickingARouteShowsItsExplanation() async throws {
        let page = try await openDemo()
        let b = page.browser
        let first = page.ranked[0].result
        let shape = try #require(page.routes.first { $0.id == first.id }?.shape.lineParts?.first)
        // The route is drawn through its vertices in its band's colour (EXTREME: Okabe-Ito
        // vermillion), except where a label or a marker covers it: found near most of them.
        #expect(first.band == .extreme)
        let points = try shape.map { try screenPoint($0, browser: b) }
        let list = points.map { "[\($0.x),\($0.y)]" }.joined(separator: ",")
        let found = try b.evaluate("""
            (() => { const c = document.getElementById('map-canvas'), r = c.getBoundingClientRect();
              const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              return [\(list)].map(([x, y]) => { const cx = Math.round(x - r.left), cy = Math.round(y - r.top);
                for (let j = cy - 3; j <= cy + 3; j++) for (let i = cx - 3; i <= cx + 3; i++) {
                  const k = 4 * (j * c.width + i); if (d[k] === 213 && d[k + 1] === 94 && d[k + 2] === 0) return true; }
                return false; }); })()
            """).arrayValue?.map { $0 == .bool(true) } ?? []
        #expect(found.count == shape.count && Double(found.filter { $0 }.count) >= 0.8 * Double(shape.count))
        // Click the drawn vertex farthest from every other route.
        let others = page.routes.filter { $0.id != first.id }.flatMap { $0.shape.coordinates }
        func clearance(_ c: Coordinate) -> Double { others.map { hypot($0.x - c.x, $0.y - c.y) }.min()! }
        let index = try #require(shape.indices.filter { found[$0] }.max { clearance(shape[$0]) < clearance(shape[$1]) })
        let point = points[index]
        try b.click(x: point.x, y: point.y)
        #expect(try b.evaluate("document.getElementById('map').dataset.selected") == .string(first.id))
        let text = try #require(try b.evaluate("document.getElementById('explain').textContent").stringValue)
        #expect(text.contains("#1 \(first.name ?? first.id)"))
        #expect(text.contains(String(format: "%.2f = base %.2f + incidents %.2f", first.exposure, first.baseExposure, first.incidentExposure)))
        #expect(text.contains(String(format: "%.3f at km %.1f", first.peakHazard, first.peakAtKm)))
        for zone in first.zones { #expect(text.contains(zone.name + String(format: "%.1f km", zone.km))) }
        for top in first.topIncidents {
            let incident = try #require(page.data.incidents.first { $0.id == top.id })
            #expect(text.contains(String(format: "%.1f %% of incident exposure, closest %.2f km at km %.1f", top.share * 100, top.closestKm, top.atKm)))
            #expect(text.contains(iso8601(incident.time).prefix(10) + " · " + (incident.category ?? "incident")))
        }
        // The table row is marked, and the address names the route.
        #expect(try b.evaluate("document.querySelector('#ranked tr.selected')?.dataset.item") == "0")
        #expect(try b.evaluate("location.hash") == .string("#route=" + first.id))
        // Clicking empty sea clears it.
        let corner = try b.evaluate("(() => { const r = document.getElementById('map-canvas').getBoundingClientRect(); return [r.right - 20, r.bottom - 60]; })()")
        let numbers = corner.arrayValue?.compactMap(\.numberValue)
        let xy = try #require(numbers)
        try b.click(x: xy[0], y: xy[1])
        #expect(try b.evaluate("document.getElementById('map').dataset.selected") == .null)
        #expect(b.problems.isEmpty, "\(b.problems)")
    }

    @Test func tableSortsAndSelectsRoutes() async throws {
        let page = try await openDemo()
        let b = page.browser
        func ranks() throws -> [Int] {
            try #require(try b.evaluate("[...document.querySelectorAll('#ranked tbody tr')].map((r) => Number(r.cells[0].textContent))").arrayValue)
                .map { Int($0.numberValue!) }
        }
        #expect(try ranks() == Array(1...page.ranked.count))
        // Length, ascending then descending; ties keep rank order.
        let byLength = page.ranked.sorted { ($0.result.lengthKm, $0.rank) < ($1.result.lengthKm, $1.rank) }.map(\.rank)
        _ = try b.evaluate("document.querySelector('#ranked th button[data-key=length_km]').click()")
        #expect(try ranks() == byLength)
        #expect(try b.evaluate("document.querySelector('#ranked th button[data-key=length_km]').parentElement.getAttribute('aria-sort')") == "ascending")
        _ = try b.evaluate("document.querySelector('#ranked th button[data-key=length_km]').click()")
        let descending = page.ranked.sorted { ($0.result.lengthKm, -$0.rank) > ($1.result.lengthKm, -$1.rank) }.map(\.rank)
        #expect(try ranks() == descending)
        // A route's button in the table selects it on the map.
        let third = page.ranked[2].result
        _ = try b.evaluate("document.querySelector('#ranked button.show[data-item=\"2\"]').click()")
        #expect(try b.evaluate("document.getElementById('map').dataset.selected") == .string(third.id))
        #expect(b.problems.isEmpty, "\(b.problems)")
    }

    @Test func scaleBarIsTrueAtTheViewsLatitude() async throws {
        let page = try await openDemo()
        let b = page.browser
        func check() throws {
            let scale = try b.evaluate("JSON.stringify(document.getElementById('scale').dataset)")
            let values = try JSONValue.parse(try #require(scale.stringValue))
            let kmPerPx = Double(try #require(values["kmPerPx"]?.stringValue))!
            let lat = Double(try #require(values["centreLat"]?.stringValue))!
            let view = try #require(try b.evaluate("document.getElementById('map').dataset.view").stringValue).split(separator: ",").map { Double($0)! }
            // 100 pixels east of the centre, on the centre's parallel: the geodesic between them.
            let lon = view[0] * 180 / Double.pi, step = 100 / view[2] * 180 / Double.pi
            let km = try Geodesic.wgs84.distanceKm(Coordinate(lon, lat), Coordinate(lon + step, lat))
            #expect(abs(kmPerPx * 100 - km) / km < 1e-4, "\(kmPerPx * 100) vs \(km)")
            let barKm = Double(try #require(values["barKm"]?.stringValue))!, barPx = Double(try #require(values["barPx"]?.stringValue))!
            #expect(abs(barPx * kmPerPx - barKm) / barKm < 1e-3)
            #expect(barPx >= 40 && barPx <= 111)
        }
        try check()
        // Zoomed in and moved north, the bar follows the latitude.
        _ = try b.evaluate("document.getElementById('zoom-in').click(); document.getElementById('zoom-in').click()")
        _ = try b.evaluate("document.getElementById('map').focus()")
        for _ in 0..<4 {
            try b.call("Input.dispatchKeyEvent", [.init("type", "keyDown"), .init("key", "ArrowUp"), .init("code", "ArrowUp"), .init("windowsVirtualKeyCode", 38)])
            try b.call("Input.dispatchKeyEvent", [.init("type", "keyUp"), .init("key", "ArrowUp"), .init("code", "ArrowUp"), .init("windowsVirtualKeyCode", 38)])
        }
        try check()
        #expect(b.problems.isEmpty, "\(b.problems)")
    }

    @Test func aLinkToARouteOpensWithItSelected() async throws {
        let page = try await openDemo(fragment: "route=karachi-hyderabad-n5-thatta")
        #expect(try page.browser.evaluate("document.getElementById('map').dataset.selected") == "karachi-hyderabad-n5-thatta")
        #expect(try page.browser.evaluate("document.getElementById('explain').textContent.includes('Leading incidents')") == true)
    }
}

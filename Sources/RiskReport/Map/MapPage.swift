import Foundation
import Geo
import RiskCore

/// The HTML map report: one self-contained page (its style, script and data inside it, no
/// request of any kind). The ranked table, the legend and a batch run's summary are plain HTML,
/// readable without the script; the script draws the map from the data island.
/// docs/html-report.md describes what the page shows and the data island.
public enum MapPage {
    /// The page of `scene`. Pure: the same scene gives the same bytes.
    public static func html(_ scene: MapScene) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
        <meta name="generator" content="routerisk">
        <title>\(escape(scene.title))</title>
        <style>\(mapStyle)</style>
        </head>
        <body>
        <header>
        <h1>\(escape(scene.title))</h1>
        <p class="meta">\(escape(subtitle(scene)))</p>
        </header>
        <main>

        """
        if let run = scene.run { out += runSection(run, scene) }
        out += """
        <section class="mapwrap" aria-label="Map">
        <div id="map" class="map" tabindex="0" aria-label="Map of the routes, zones, incidents and hazard. Arrow keys pan, plus and minus zoom, 0 resets; the table below has every figure.">
        <canvas id="map-canvas"></canvas>
        <div class="controls"><button type="button" id="zoom-in" title="Zoom in (+)" aria-label="Zoom in">+</button><button type="button" id="zoom-out" title="Zoom out (-)" aria-label="Zoom out">\u{2212}</button><button type="button" id="zoom-reset" title="Whole map (0)" aria-label="Show the whole map">\u{2922}</button></div>
        <div id="scale" class="scalebar" aria-hidden="true"><div class="bar"></div><span class="label"></span></div>
        <div id="tooltip" class="tooltip" role="status" hidden></div>
        <noscript><p class="noscript">The map needs JavaScript; the table below has every figure.</p></noscript>
        </div>
        <div class="side">
        \(legend(scene))
        <section id="explain" class="explain" aria-live="polite"><h2>Explanation</h2><p class="hint">Click a route on the map, or a route in the table, for its explanation.</p></section>
        </div>
        </section>

        """
        out += table(scene)
        if !scene.warnings.isEmpty {
            out += "<section class=\"warnings\"><h2>Warnings (\(scene.warnings.count))</h2><ul>\n"
            for warning in scene.warnings { out += "<li>\(escape(warning))</li>\n" }
            out += "</ul></section>\n"
        }
        out += """
        </main>
        <footer><p>Made by routerisk. Everything on this page is in this file: it makes no network request.</p></footer>
        <script type="application/json" id="routerisk-data">\(dataIsland(scene))</script>
        <script>\(mapScript)</script>
        </body>
        </html>

        """
        return out
    }

    /// The data island's text. `<` only occurs inside JSON strings, where `\u003c` means the same,
    /// so no `</script>` in a name can end the element early.
    static func dataIsland(_ scene: MapScene) -> String {
        scene.dataJSON().serialized().replacingOccurrences(of: "<", with: "\\u003c")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func subtitle(_ scene: MapScene) -> String {
        let count = scene.items.count
        let noun = scene.kind == .batch ? (count == 1 ? "movement" : "movements") : (count == 1 ? "route" : "routes")
        let m = scene.model
        return "\(count) \(noun) ranked by \(scene.rankedBy.rawValue), highest first. Incidents weighed and hazard drawn as of "
            + "\(iso8601(scene.mapTime)); each route's figures at its own evaluation time. Model: \(m.kernel.name) kernel "
            + "\(number(m.kernel.widthKm)) km wide, reaching \(number(m.cutoffKm)) km, half-life \(number(m.halfLifeDays)) days, "
            + "score scale \(number(m.scoreScale))."
    }

    static func number(_ value: Double) -> String {
        measure(value).serialized()
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func bandClass(_ band: Band) -> String {
        "band band-\(band.rawValue.lowercased())"
    }

    static func legend(_ scene: MapScene) -> String {
        let m = scene.model
        let thresholds = [number(m.moderateFrom), number(m.highFrom), number(m.extremeFrom)]
        let bandRows = Band.allCases.enumerated().map { index, band in
            let range = switch index {
            case 0: "score &lt; \(thresholds[0])"
            case 3: "\(thresholds[2]) \u{2264} score"
            default: "\(thresholds[index - 1]) \u{2264} score &lt; \(thresholds[index])"
            }
            return "<li><span class=\"swatch swatch-\(band.rawValue.lowercased())\"></span>\(band.rawValue) <small>\(range)</small></li>"
        }.joined()
        let escalation = scene.kind == .batch
            ? "<li><span class=\"swatch swatch-escalated\"></span>escalated since the previous run</li>" : ""
        return """
        <section class="legend" aria-label="Legend">
        <h2>Legend</h2>
        <h3>Routes by band</h3>
        <ul class="bands">\(bandRows)\(escalation)<li><span class="peak-symbol"></span>peak hazard of a route</li></ul>
        <h3>Hazard per km</h3>
        <canvas id="heat-legend" width="240" height="34" aria-label="Colour ramp of the hazard per km, logarithmic"></canvas>
        <h3>Incidents</h3>
        <canvas id="incident-legend" width="240" height="46" aria-label="Circle area is the weight at the map time; darker is more recent"></canvas>
        <p class="small">Circle area: weight w\u{00B7}D at the map time. Shade: age, dark when new, pale as it fades out.</p>
        </section>
        """
    }

    static func runSection(_ run: MapScene.RunSummary, _ scene: MapScene) -> String {
        let total = max(1, run.bands.values.reduce(0, +))
        var out = """
        <section class="run" aria-label="Run summary">
        <h2>Run \(run.id): \(run.scored) of \(run.selected) movements scored, window \(escape(run.window)), as of \(iso8601(run.asOf))</h2>
        <div class="runbody">
        <table class="bandcounts"><caption>Movements by band</caption><thead><tr><th scope="col">Band</th><th scope="col">Movements</th><th scope="col">Share</th></tr></thead><tbody>

        """
        for band in Band.allCases.reversed() {
            let count = run.bands[band] ?? 0
            let percent = 100 * Double(count) / Double(total)
            out += "<tr><th scope=\"row\"><span class=\"\(bandClass(band))\">\(band.rawValue)</span></th><td class=\"num\">\(count)</td>"
                + "<td><span class=\"meter swatch-\(band.rawValue.lowercased())\" style=\"width:\(fixed(percent * 1.6, 1))px\"></span> \(fixed(percent, 1)) %</td></tr>\n"
        }
        out += "</tbody></table>\n"
        let escalated = scene.items.enumerated().filter { $0.element.escalation != nil }
        if !run.escalationsKnown {
            // A run read back from the store: its escalations were reported when it ran.
        } else if escalated.isEmpty {
            out += "<p class=\"escalations\"><b>Escalations since the previous run:</b> none.</p>\n"
        } else {
            out += "<table class=\"escalations\"><caption>Escalations since the previous run (\(escalated.count))</caption>"
            out += "<thead><tr><th scope=\"col\">Movement</th><th scope=\"col\">Route</th><th scope=\"col\">Band</th><th scope=\"col\">Score</th><th scope=\"col\">Driven by</th></tr></thead><tbody>\n"
            for (index, item) in escalated {
                let e = item.escalation!
                let r = item.result
                let driver = e.driver.map { id in
                    let top = r.topIncidents.first { $0.id == id }
                    return escape(id) + (top.map { " (\(fixed($0.closestKm, 1)) km from the route)" } ?? "")
                } ?? "no new incident among its leading ones"
                out += "<tr data-item=\"\(index)\"><td><button type=\"button\" class=\"show\" data-item=\"\(index)\">\(escape(item.movementID ?? r.id))</button></td>"
                    + "<td>\(escape(r.id))</td><td><span class=\"\(bandClass(e.oldBand))\">\(e.oldBand.rawValue)</span> \u{2192} "
                    + "<span class=\"\(bandClass(r.band))\">\(r.band.rawValue)</span></td>"
                    + "<td class=\"num\">\(fixed(e.oldScore, 1)) \u{2192} \(fixed(r.score, 1))</td><td>\(driver)</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        if !run.failed.isEmpty {
            out += "<details class=\"failed\"><summary>\(run.failed.count) movements failed</summary><ul>"
            for failure in run.failed { out += "<li>\(escape(failure.movementID)): \(escape(failure.reason))</li>" }
            out += "</ul></details>\n"
        }
        out += "</div>\n</section>\n"
        return out
    }

    /// The ranked table: the page's text alternative to the map. Each column header is a button
    /// that sorts by it; each route's id is a button that shows it on the map.
    static func table(_ scene: MapScene) -> String {
        let batch = scene.kind == .batch
        var columns: [(key: String, title: String, numeric: Bool)] = [("rank", "#", true)]
        if batch { columns += [("movement", "Movement", false), ("evaluated_at", "Departs", false)] }
        columns += [("id", "Route", false), ("band", "Band", false), ("score", "Score", true), ("exposure", "Exposure", true),
                    ("length_km", "km", true), ("mean_hazard", "Mean hazard /km", true), ("peak_hazard", "Peak hazard", true),
                    ("lead", "Leading incident", false)]
        var out = """
        <section class="ranked" aria-label="Ranked table">
        <h2>\(batch ? "Movements" : "Routes"), ranked by \(scene.rankedBy.rawValue)</h2>
        <div class="scroll" tabindex="0" role="region" aria-label="Ranked table, scrollable">
        <table id="ranked"><thead><tr>
        """
        for column in columns {
            let sort = column.key == "rank" ? " aria-sort=\"ascending\"" : ""
            out += "<th scope=\"col\"\(sort)\(column.numeric ? " class=\"num\"" : "")><button type=\"button\" data-key=\"\(column.key)\">\(column.title)</button></th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (index, item) in scene.items.enumerated() {
            let r = item.result
            let lead = r.topIncidents.first.map { "\(escape($0.id)) (\(fixed($0.share * 100, 0)) %, \(fixed($0.closestKm, 1)) km)" } ?? "\u{2013}"
            let name = r.name.map { "<br><small>\(escape($0))</small>" } ?? ""
            var cells = "<td class=\"num\">\(item.rank)</td>"
            if batch {
                cells += "<td>\(escape(item.movementID ?? ""))\(item.escalation != nil ? " <span class=\"escalated\" title=\"escalated\">\u{25B2}</span>" : "")</td>"
                    + "<td>\(iso8601(r.evaluatedAt))</td>"
            }
            cells += "<td><button type=\"button\" class=\"show\" data-item=\"\(index)\">\(escape(r.id))</button>\(name)</td>"
                + "<td><span class=\"\(bandClass(r.band))\">\(r.band.rawValue)</span></td>"
                + "<td class=\"num\">\(fixed(r.score, 1))</td><td class=\"num\">\(fixed(r.exposure, 2))</td>"
                + "<td class=\"num\">\(fixed(r.lengthKm, 1))</td><td class=\"num\">\(fixed(r.meanHazard, 4))</td>"
                + "<td class=\"num\">\(fixed(r.peakHazard, 3)) <small>at km \(fixed(r.peakAtKm, 1))</small></td><td>\(lead)</td>"
            out += "<tr data-item=\"\(index)\">\(cells)</tr>\n"
        }
        out += "</tbody></table>\n</div>\n</section>\n"
        return out
    }
}

import Foundation

/// The backtest as one self-contained HTML page of SVG charts (no scripts, no network): the
/// pooled Spearman and ROC AUC of every predictor with their intervals, and each cut's Spearman
/// for the model's score, its mean hazard and the past-count baseline.
public enum ValidationCharts {
    /// Width in pixels of the bar scale; a value `v` on an axis `lower...upper` is drawn at
    /// `left + width * (v - lower) / (upper - lower)`.
    static let left = 230.0, width = 420.0, rowHeight = 26.0

    static func x(_ value: Double, _ axis: ClosedRange<Double>) -> Double {
        left + width * (min(max(value, axis.lowerBound), axis.upperBound) - axis.lowerBound) / (axis.upperBound - axis.lowerBound)
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Horizontal bars from the axis's zero (or its lower end) with the 95 % interval as a whisker.
    static func bars(title: String, rows: [(label: String, estimate: Estimate?, baseline: Bool)], axis: ClosedRange<Double>) -> String {
        let height = Double(rows.count) * rowHeight + 50
        let origin = x(max(axis.lowerBound, min(0, axis.upperBound)), axis)
        var svg = "<h2>\(title)</h2>\n<svg width=\"\(Int(left + width + 80))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(title)\">\n"
        for (k, tick) in stride(from: axis.lowerBound, through: axis.upperBound + 1e-9, by: (axis.upperBound - axis.lowerBound) / 4).enumerated() {
            svg += "<line x1=\"\(f(x(tick, axis)))\" y1=\"10\" x2=\"\(f(x(tick, axis)))\" y2=\"\(f(height - 30))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(x(tick, axis)))\" y=\"\(f(height - 12))\" class=\"tick\">\(String(format: "%.2f", tick))</text>\n"
            _ = k
        }
        for (i, row) in rows.enumerated() {
            let y = 12 + Double(i) * rowHeight
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 15))\" class=\"label\">\(row.label)</text>"
            guard let e = row.estimate else {
                svg += "<text x=\"\(f(origin + 4))\" y=\"\(f(y + 15))\" class=\"tick\">undefined</text>\n"
                continue
            }
            let end = x(e.value, axis)
            svg += "<rect x=\"\(f(min(origin, end)))\" y=\"\(f(y + 3))\" width=\"\(f(abs(end - origin)))\" height=\"16\" "
                + "class=\"\(row.baseline ? "baseline" : "model")\"><title>\(String(format: "%.3f [%.3f, %.3f]", e.value, e.low, e.high))</title></rect>"
            svg += "<line x1=\"\(f(x(e.low, axis)))\" y1=\"\(f(y + 11))\" x2=\"\(f(x(e.high, axis)))\" y2=\"\(f(y + 11))\" class=\"whisker\"/>"
            svg += "<text x=\"\(f(left + width + 6))\" y=\"\(f(y + 15))\" class=\"tick\">\(String(format: "%.2f", e.value))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// One polyline per predictor through its Spearman at each cut.
    static func perCut(_ r: BacktestResult) -> String {
        let predictors: [Predictor] = [.score, .meanHazard, .pastCount, .random]
        let axis = -0.2...1.0, height = 260.0, top = 20.0, plot = 200.0
        func y(_ v: Double) -> Double { top + plot * (axis.upperBound - min(max(v, axis.lowerBound), axis.upperBound)) / (axis.upperBound - axis.lowerBound) }
        let step = r.cuts.count > 1 ? width / Double(r.cuts.count - 1) : 0
        var svg = "<h2>Spearman at each cut</h2>\n<svg width=\"\(Int(left + width + 160))\" height=\"\(Int(height + 20))\" role=\"img\" aria-label=\"Spearman at each cut\">\n"
        for tick in [-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1.0] {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + width))\" y2=\"\(f(y(tick)))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(left - 8))\" y=\"\(f(y(tick) + 4))\" class=\"label\">\(String(format: "%.1f", tick))</text>\n"
        }
        for (k, cut) in r.cuts.enumerated() {
            svg += "<text x=\"\(f(left + Double(k) * step))\" y=\"\(f(height))\" class=\"tick\">\(ValidationReport.date(cut.cut))</text>\n"
        }
        for (n, predictor) in predictors.enumerated() {
            let points = r.cuts.enumerated().compactMap { k, cut in
                cut.routeSkills.first { $0.predictor == predictor }?.spearman.map { "\(f(left + Double(k) * step)),\(f(y($0.value)))" }
            }
            svg += "<polyline points=\"\(points.joined(separator: " "))\" class=\"series s\(n)\"/>"
            svg += "<text x=\"\(f(left + width + 10))\" y=\"\(f(top + 16 * Double(n)))\" class=\"key s\(n)\">\(predictor.rawValue)</text>\n"
        }
        return svg + "</svg>\n"
    }

    public static func html(_ r: BacktestResult) -> String {
        func rows(_ pick: (RouteSkill) -> Estimate?) -> [(label: String, estimate: Estimate?, baseline: Bool)] {
            r.pooledRoutes.map { ($0.predictor.rawValue, pick($0), $0.predictor.isBaseline) }
        }
        let area = r.pooledArea.map { ($0.predictor.rawValue, $0.hitRate5, $0.predictor != .hazard) }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>RouteRisk backtest</title>
        <style>
        body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
        .label { text-anchor: end; font-size: 12px; } .tick { font-size: 11px; fill: #555; text-anchor: middle; }
        .grid { stroke: #ddd; } .model { fill: #c0392b; } .baseline { fill: #7f8c8d; } .whisker { stroke: #111; stroke-width: 2; }
        .series { fill: none; stroke-width: 2; } .key { font-size: 12px; }
        .s0 { stroke: #c0392b; fill: #c0392b; } .s1 { stroke: #e67e22; fill: #e67e22; } .s2 { stroke: #2c3e50; fill: #2c3e50; } .s3 { stroke: #95a5a6; fill: #95a5a6; }
        polyline.series { fill: none; }
        </style></head><body>
        <h1>Backtest: how well the scores predicted the next incidents</h1>
        <p>\(r.routes) routes (\(Int(r.routeKm.rounded())) km), \(r.incidents) incidents, \(r.cuts.count) cuts \
        (\(r.cuts.map { ValidationReport.date($0.cut) }.joined(separator: ", "))), horizon \(Int(r.horizonDays.rounded())) days, \
        radius \(Format.number(r.radiusKm)) km. Means over the cuts with 95 % bootstrap intervals (\(r.bootstrap) resamples); \
        red: the model, grey: baselines. See docs/validation.md.</p>
        \(bars(title: "Spearman with future incidents per km", rows: rows(\.spearman), axis: -0.2...1.0))\
        \(bars(title: "ROC AUC for any incident within the radius", rows: rows(\.auc), axis: 0...1))\
        \(bars(title: "Share of future incidents in the top 5 % of area", rows: area, axis: 0...1))\
        \(perCut(r))\
        </body></html>

        """
    }
}

import Foundation
import RiskCore

/// A plain-text table of the ranked routes, with bands coloured when `colour` is set and times
/// in `timeZone` (UTC when nil).
extension Report {
    public func table(colour: Bool, explain: Bool, timeZone: TimeZone? = nil) -> String {
        let header = ["#", "route", "name", "evaluated at", "km", "exposure", "score", "band", "peak hazard @ km", "leading incident"]
        var rows: [[String]] = []
        for (rank, r) in ranked {
            let lead = r.topIncidents.first.map { String(format: "%@ (%.0f%%, %.1f km)", $0.id, $0.share * 100, $0.closestKm) } ?? "-"
            // Ids and names come from input files: shown, never acted on by the terminal.
            rows.append([
                String(rank), terminalSafe(r.id), terminalSafe(String((r.name ?? "").prefix(44))), timestamp(r.evaluatedAt, in: timeZone),
                String(format: "%.1f", r.lengthKm),
                String(format: "%.2f", r.exposure), String(format: "%.1f", r.score), r.band.rawValue,
                String(format: "%.3f @ %.1f", r.peakHazard, r.peakAtKm), terminalSafe(lead),
            ])
        }
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        let numeric: Set = [0, 4, 5, 6]
        func line(_ cells: [String], band: Band? = nil) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                var text = numeric.contains(column) ? pad + cell : cell + pad
                if column == 7, let band, colour { text = Report.colour(band) + text + "\u{1B}[0m" }
                return text
            }.joined(separator: "  ").trimmedTrailingSpaces
        }
        var out = [Report.evaluationLine(ranked.map(\.result.evaluatedAt), asOf: asOf, timeZone: timeZone)
                   + ", ranked by \(rankedBy.rawValue), highest first", "", line(header),
                   line(widths.map { String(repeating: "-", count: $0) })]
        for ((_, r), cells) in zip(ranked, rows) {
            out.append(line(cells, band: r.band))
            if explain { out += Report.explanation(r, timeZone: timeZone) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The table's first line, saying truthfully when the routes were evaluated: all at one time,
    /// or each at its own departure (routes without one at `asOf`).
    static func evaluationLine(_ times: [Date], asOf: Date, timeZone: TimeZone?) -> String {
        let distinct = Set(times)
        if distinct.count <= 1 {
            return "Route risk evaluated at \(timestamp(distinct.first ?? asOf, in: timeZone))"
        }
        let atAsOf = times.filter { $0 == asOf }.count
        let sorted = distinct.sorted()
        return "Route risk evaluated at each route's departure (\(timestamp(sorted[0], in: timeZone)) to "
            + "\(timestamp(sorted[sorted.count - 1], in: timeZone)))"
            + (atAsOf > 0 ? "; \(atAsOf) at the as-of time \(timestamp(asOf, in: timeZone))" : "")
    }

    static func explanation(_ r: RouteResult, timeZone: TimeZone? = nil) -> [String] {
        var lines = [String(format: "    exposure %.2f = base %.2f + incidents %.2f; mean hazard %.4f/km; evaluated at %@",
                            r.exposure, r.baseExposure, r.incidentExposure, r.meanHazard, timestamp(r.evaluatedAt, in: timeZone)),
                     String(format: "    peak hazard %.3f at km %.1f (%.4f, %.4f)", r.peakHazard, r.peakAtKm,
                            r.peakLocation.x, r.peakLocation.y)]
        if !r.zones.isEmpty {
            lines.append("    zones: " + r.zones.map { String(format: "%@ %.1f km", $0.name, $0.km) }.joined(separator: ", "))
        }
        for top in r.topIncidents {
            lines.append(String(format: "    incident %@: %.1f%% of incident exposure, closest %.2f km at km %.1f",
                                top.id, top.share * 100, top.closestKm, top.atKm))
        }
        lines.append("")
        return lines.map(terminalSafe)
    }

    static func colour(_ band: Band) -> String {
        switch band {
        case .low: "\u{1B}[32m"
        case .moderate: "\u{1B}[33m"
        case .high: "\u{1B}[31m"
        case .extreme: "\u{1B}[1;35m"
        }
    }
}

extension String {
    /// The text without spaces at its end (padding of the last column).
    var trimmedTrailingSpaces: String {
        String(self[..<(lastIndex { $0 != " " }.map(index(after:)) ?? startIndex)])
    }
}

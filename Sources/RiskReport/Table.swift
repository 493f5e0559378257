import Foundation
import RiskCore
import RiskEngine

/// A plain-text table of the ranked routes, with bands coloured when `colour` is set and times
/// in `timeZone` (UTC when nil).
extension Report {
    public func table(colour: Bool, explain: Bool, timeZone: TimeZone? = nil) -> String {
        let header = ["#", "route", "name", "evaluated at", "km", "exposure", "score", "band", "peak hazard @ km", "leading incident"]
        var rows: [[String]] = []
        for (rank, r) in ranked {
            let lead = r.topIncidents.first.map {
                String(format: "%@ (%.0f%%, %.1f km)", Report.readable($0.id, incidents, description: false), $0.share * 100, $0.closestKm)
            } ?? "-"
            // Ids and names come from input files: shown, never acted on by the terminal.
            rows.append([
                String(rank), terminalSafe(r.id), terminalSafe(String((r.name ?? "").prefix(44))), timestamp(r.evaluatedAt, in: timeZone),
                String(format: "%.1f", r.lengthKm),
                String(format: "%.2f", r.exposure), String(format: "%.1f", r.score), bandText(r),
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
            if explain { out += explanation(r, timeZone: timeZone) }
        }
        if let basis { out += [""] + Report.basisLines(basis, explain: explain).map(terminalSafe) }
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

    /// The band, qualified when the data do not cover the whole route: never a plain LOW for a
    /// place the data say nothing about.
    func bandText(_ r: RouteResult) -> String {
        switch coverage[r.id]?.verdict {
        case .outside: r.band.rawValue + " (outside the data)"
        case .partly: r.band.rawValue + String(format: " (data cover %.0f%%)", (coverage[r.id]!.coveredFraction * 100).rounded(.down))
        case .inside, nil: r.band.rawValue
        }
    }

    /// The table's footer: what the scores rest on.
    static func basisLines(_ b: Basis, explain: Bool) -> [String] {
        var lines: [String] = []
        let files = b.provenance.incidentFiles.map { "\($0.name) (\($0.items) incidents, \($0.rejected) rejected)" }
        lines.append("Based on " + (files.isEmpty ? "\(b.incidentsRead) incidents" : files.joined(separator: ", ")))
        var counts = "  \(b.incidents) incidents used"
        if let earliest = b.earliest, let latest = b.latest { counts += " (\(iso8601Day(earliest)) to \(iso8601Day(latest)))" }
        counts += ": \(b.applicable) apply, \(b.decayed) decayed below min_decay, \(b.afterEvaluation) after the evaluation time; "
            + "\(b.rejected) rows rejected, \(b.duplicatesMerged) duplicates merged"
        lines.append(counts)
        let zoneFiles = b.provenance.zoneFiles.map(\.name).joined(separator: ", ")
        lines.append("  \(b.zones) zones" + (zoneFiles.isEmpty ? "" : " from \(zoneFiles)")
            + "; model " + (b.provenance.modelFile ?? "given in memory") + (b.provenance.modelHash.map { " (fnv1a \($0))" } ?? ""))
        lines.append("  coverage: " + CoverageVerdict.allCases.map { "\(b.coverage[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
        if explain {
            for merge in b.merges { lines.append("  duplicate \(merge.droppedID) merged into \(merge.keptID) (\(merge.reason))") }
        }
        return lines
    }

    func explanation(_ r: RouteResult, timeZone: TimeZone? = nil) -> [String] {
        var lines = [String(format: "    exposure %.2f = base %.2f + incidents %.2f; mean hazard %.4f/km; evaluated at %@",
                            r.exposure, r.baseExposure, r.incidentExposure, r.meanHazard, timestamp(r.evaluatedAt, in: timeZone)),
                     String(format: "    peak hazard %.3f at km %.1f (%.4f, %.4f)", r.peakHazard, r.peakAtKm,
                            r.peakLocation.x, r.peakLocation.y)]
        if !r.zones.isEmpty {
            lines.append("    zones: " + r.zones.map { String(format: "%@ %.1f km", $0.name, $0.km) }.joined(separator: ", "))
        }
        if let coverage = coverage[r.id] {
            lines.append(String(format: "    coverage: %@, %.1f%% of the route within zones and the incident data's extent",
                                coverage.verdict.rawValue, coverage.coveredFraction * 100))
        }
        for top in r.topIncidents {
            lines.append(String(format: "    incident %@: %.1f%% of incident exposure, closest %.2f km at km %.1f",
                                top.id, top.share * 100, top.closestKm, top.atKm))
            if incidents[top.id] != nil { lines.append("      " + Report.readable(top.id, incidents)) }
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

import Foundation
import Geo
import RiskCore
import RiskBatch

/// Output of `routerisk batch` and `routerisk store scores`.
public enum BatchReport {
    public static func runJSON(_ run: RunRecord) -> JSONValue {
        .object([
            .init("id", .number(Double(run.id))), .init("as_of", .string(iso8601(run.asOf))), .init("status", .string(run.status.rawValue)),
            .init("scored", .number(Double(run.counters.scored))), .init("failed", .number(Double(run.counters.failed))),
        ])
    }

    /// The spec's per-route fields, after the movement and route ids.
    public static func scoreJSON(_ score: MovementScore, rank: Int? = nil) -> JSONValue {
        var members: [JSONValue.Member] = [.init("movement_id", .string(score.movementID)), .init("route_id", .string(score.routeID))]
        members += Report.routeJSON(rank: rank, score.result).objectMembers ?? []
        return .object(members)
    }

    public static func json(_ outcome: BatchOutcome) -> String {
        JSONValue.object([
            .init("run", runJSON(outcome.run)),
            .init("bands", .object(Band.allCases.map { .init($0.rawValue, .number(Double(outcome.bands[$0] ?? 0))) })),
            .init("escalations", .array(outcome.escalations.map { e in
                .object([
                    .init("movement_id", .string(e.movementID)), .init("old_band", .string(e.oldBand.rawValue)),
                    .init("new_band", .string(e.newBand.rawValue)), .init("old_score", measure(e.oldScore)),
                    .init("new_score", measure(e.newScore)),
                    .init("driver", e.driver.map { .object([.init("id", .string($0.id)), .init("closest_km", measure($0.closestKm))]) } ?? .null),
                ])
            })),
            .init("riskiest", .array(outcome.riskiest.enumerated().map { scoreJSON($1, rank: $0 + 1) })),
            .init("failed", .array(outcome.failed.map { .object([.init("movement_id", .string($0.movementID)), .init("reason", .string($0.reason))]) })),
        ]).serialized(pretty: true) + "\n"
    }

    public static func table(_ outcome: BatchOutcome, colour: Bool) -> String {
        let run = outcome.run
        let counters = run.counters
        var lines = ["Run \(run.id) \(outcome.resumed ? "(resumed) " : "")as of \(iso8601(run.asOf)), window \(run.window), \(run.mode.rawValue): "
                     + "\(counters.scored) of \(counters.selected) movements scored (\(counters.reused) carried forward, "
                     + "\(counters.recomputed) computed), \(counters.failed) failed", ""]
        lines.append("Bands: " + Band.allCases.map { band in
            let text = "\(band.rawValue) \(outcome.bands[band] ?? 0)"
            return colour ? Report.colour(band) + text + "\u{1B}[0m" : text
        }.joined(separator: "  "))
        lines.append("")
        if outcome.escalations.isEmpty {
            lines.append("Escalations since the previous run: none")
        } else {
            lines.append("Escalations since the previous run (\(outcome.escalations.count)):")
            for e in outcome.escalations {
                let driver = e.driver.map { String(format: "driven by %@ (%.1f km from the route)", $0.id, $0.closestKm) }
                    ?? "no new incident among its leading ones"
                lines.append(String(format: "  %@: %@ %.1f -> %@ %.1f, %@", e.movementID, e.oldBand.rawValue, e.oldScore,
                                    e.newBand.rawValue, e.newScore, driver))
            }
        }
        lines.append("")
        lines.append(table(outcome.riskiest, title: "Riskiest movements"))
        if !outcome.failed.isEmpty {
            lines.append("Failed movements (\(outcome.failed.count)):")
            for failure in outcome.failed { lines.append("  \(failure.movementID): \(failure.reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func table(_ scores: [MovementScore], title: String) -> String {
        var lines = [title]
        let header = ["#", "movement", "route", "departs", "km", "exposure", "score", "band", "leading incident"]
        let rows = scores.enumerated().map { index, s -> [String] in
            let r = s.result
            return [String(index + 1), s.movementID, s.routeID, iso8601(r.evaluatedAt), String(format: "%.1f", r.lengthKm),
                    String(format: "%.2f", r.exposure), String(format: "%.1f", r.score), r.band.rawValue,
                    r.topIncidents.first.map { String(format: "%@ (%.1f km)", $0.id, $0.closestKm) } ?? "-"]
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        for cells in [header] + rows {
            lines.append(cells.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmedTrailingSpaces)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per movement: its id, then the route CSV's fields.
    public static func csv(_ scores: [MovementScore]) -> String {
        var lines = [(["movement_id", "route_id"] + Report.csvHeader.dropFirst(2)).joined(separator: ",")]
        for s in scores {
            lines.append(([s.movementID, s.routeID] + Report.csvFields(s.result).dropFirst()).map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

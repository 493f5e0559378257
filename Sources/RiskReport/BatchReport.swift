import Foundation
import Geo
import RiskCore
import RiskBatch
import RiskEngine

/// Output of `routerisk batch` and `routerisk store scores`.
public enum BatchReport {
    public static func runJSON(_ run: RunRecord) -> JSONValue {
        .object([
            .init("id", .number(Double(run.id))), .init("as_of", .string(iso8601(run.asOf))), .init("status", .string(run.status.rawValue)),
            .init("scored", .number(Double(run.counters.scored))), .init("failed", .number(Double(run.counters.failed))),
            .init("basis", basisJSON(run)),
        ])
    }

    /// What the run's scores rest on (docs/output.md, "The basis of a run"); null for a run
    /// recorded before stores kept it.
    static func basisJSON(_ run: RunRecord) -> JSONValue {
        guard let b = run.basis else { return .null }
        func time(_ date: Date?) -> JSONValue { date.map { .string(iso8601($0)) } ?? .null }
        func count(_ n: Int) -> JSONValue { .number(Double(n)) }
        return .object([
            .init("incidents", .object([
                .init("stored", count(b.incidents)), .init("applicable", count(b.applicable)), .init("decayed", count(b.decayed)),
                .init("after_evaluation", count(b.afterEvaluation)), .init("earliest", time(b.earliest)), .init("latest", time(b.latest)),
            ])),
            .init("departures_from", time(b.departuresFrom)), .init("departures_to", time(b.departuresTo)),
            .init("zones", count(b.zones)), .init("model_hash", .string(run.inputs.modelHash)),
            .init("coverage", .object(CoverageVerdict.allCases.map { .init($0.rawValue, count(b.coverage[$0] ?? 0)) })),
        ])
    }

    /// The basis in one line (after a `basis:` label), for the batch table and `store status`.
    public static func basisLine(_ run: RunRecord) -> String {
        guard let b = run.basis else { return "not recorded (a run from before stores kept it)" }
        let range = b.earliest.flatMap { first in b.latest.map { " (\(iso8601Day(first)) to \(iso8601Day($0)))" } } ?? ""
        let coverage = CoverageVerdict.allCases.map { "\(b.coverage[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        return "\(b.incidents) incidents stored\(range), \(b.applicable) applied at the departures, \(b.decayed) decayed "
            + "below min_decay, \(b.afterEvaluation) later; \(b.zones) zones; model \(run.inputs.modelHash); movements by "
            + "coverage: \(coverage)"
    }

    /// The spec's per-route fields, after the movement and route ids.
    public static func scoreJSON(_ score: MovementScore, rank: Int? = nil) -> JSONValue {
        var members: [JSONValue.Member] = [.init("movement_id", .string(score.movementID)), .init("route_id", .string(score.routeID)),
                                           .init("labels", score.labels.map(JSONValue.string) ?? .null)]
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
                    .init("driver", e.driver.map {
                        .object([.init("id", .string($0.id)), .init("closest_km", measure($0.closestKm))]
                                + ($0.incident.map(Report.incidentMembers) ?? []))
                    } ?? .null),
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
                     + "\(counters.recomputed) computed), \(counters.failed) failed", "Basis: " + basisLine(run), ""]
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
                let driver = e.driver.map { driver in
                    String(format: "driven by %@ (%.1f km from the route)", driver.incident.map {
                        Report.readable(driver.id, [driver.id: $0], description: false) + " [\(driver.id)]"
                    } ?? driver.id, driver.closestKm)
                }
                    ?? "no new incident among its leading ones"
                lines.append(String(format: "  %@: %@ %.1f -> %@ %.1f, %@", terminalSafe(e.movementID), e.oldBand.rawValue, e.oldScore,
                                    e.newBand.rawValue, e.newScore, terminalSafe(driver)))
            }
        }
        lines.append("")
        lines.append(table(outcome.riskiest, title: "Riskiest movements"))
        if !outcome.failed.isEmpty {
            lines.append("Failed movements (\(outcome.failed.count)):")
            for failure in outcome.failed { lines.append(terminalSafe("  \(failure.movementID): \(failure.reason)")) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func table(_ scores: [MovementScore], title: String) -> String {
        var lines = [title]
        let header = ["#", "movement", "labels", "route", "departs", "km", "exposure", "score", "band", "leading incident"]
        let rows = scores.enumerated().map { index, s -> [String] in
            let r = s.result
            return [String(index + 1), terminalSafe(s.movementID), terminalSafe(s.labels ?? ""), terminalSafe(s.routeID), iso8601(r.evaluatedAt), String(format: "%.1f", r.lengthKm),
                    String(format: "%.2f", r.exposure), String(format: "%.1f", r.score), r.band.rawValue,
                    terminalSafe(r.topIncidents.first.map { String(format: "%@ (%.1f km)", $0.id, $0.closestKm) } ?? "-")]
        }
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        for cells in [header] + rows {
            lines.append(cells.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmedTrailingSpaces)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per movement: its id, then the route CSV's fields, then the movement's labels (last,
    /// so the columns before keep their places).
    public static func csv(_ scores: [MovementScore]) -> String {
        var lines = [(["movement_id", "route_id"] + Report.csvHeader.dropFirst(2) + ["labels"]).joined(separator: ",")]
        for s in scores {
            lines.append(([s.movementID, s.routeID] + Report.csvFields(s.result).dropFirst() + [s.labels ?? ""]).map(csvField)
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

import Foundation
import Geo
import RiskCore
import RiskIO

/// The backtest and calibration as tables and JSON (docs/validation.md describes the JSON).
public enum ValidationReport {
    static func date(_ d: Date) -> String {
        d.formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }

    static func estimate(_ e: Estimate?) -> JSONValue {
        guard let e else { return .null }
        return .object([.init("value", .number(e.value)), .init("low", .number(e.low)), .init("high", .number(e.high))])
    }

    static func routeSkills(_ skills: [RouteSkill]) -> JSONValue {
        .object(skills.map { s in
            .init(s.predictor.rawValue, .object([
                .init("baseline", .bool(s.predictor.isBaseline)),
                .init("spearman", estimate(s.spearman)), .init("auc", estimate(s.auc)),
                .init("top_decile_capture", estimate(s.topDecileCapture)), .init("top_decile_lift", estimate(s.topDecileLift)),
            ]))
        })
    }

    static func areaSkills(_ skills: [AreaSkill]) -> JSONValue {
        .object(skills.map { s in
            .init(s.predictor.rawValue, .object([
                .init("hit_rate_1pct", estimate(s.hitRate1)), .init("pai_1pct", estimate(s.pai1)),
                .init("hit_rate_5pct", estimate(s.hitRate5)), .init("pai_5pct", estimate(s.pai5)),
            ]))
        })
    }

    public static func json(_ r: BacktestResult, model: Model) -> String {
        JSONValue.object([
            .init("routes", .number(Double(r.routes))), .init("route_km", .number(r.routeKm)),
            .init("incidents", .number(Double(r.incidents))), .init("horizon_days", .number(r.horizonDays)),
            .init("radius_km", .number(r.radiusKm)), .init("cell_km", .number(r.cellKm)),
            .init("area_cells", .number(Double(r.areaCells))), .init("bootstrap", .number(Double(r.bootstrap))),
            .init("model", ModelReader.json(model)),
            .init("cuts", .array(r.cuts.map { c in
                .object([
                    .init("cut", .string(date(c.cut))), .init("past_incidents", .number(Double(c.pastIncidents))),
                    .init("future_incidents", .number(Double(c.futureIncidents))),
                    .init("future_near_routes", .number(Double(c.futureNearRoutes))),
                    .init("future_in_area", .number(Double(c.futureInArea))),
                    .init("routes_hit", .number(Double(c.routesHit))),
                    .init("routes", routeSkills(c.routeSkills)), .init("area", areaSkills(c.areaSkills)),
                ])
            })),
            .init("pooled", .object([.init("routes", routeSkills(r.pooledRoutes)), .init("area", areaSkills(r.pooledArea))])),
        ]).serialized(pretty: true) + "\n"
    }

    static func cell(_ e: Estimate?, _ digits: Int = 2) -> String {
        guard let e else { return "-" }
        return String(format: "%.\(digits)f [%.\(digits)f, %.\(digits)f]", e.value, e.low, e.high)
    }

    static func pad(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { k in rows.map { $0[k].count }.max()! }
        return rows.map { row in
            row.enumerated().map { k, text in k == 0 ? text.padding(toLength: widths[k], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[k] - text.count) + text }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func routeTable(_ skills: [RouteSkill]) -> String {
        pad([["predictor", "spearman", "roc auc", "top-decile capture", "top-decile lift"]] + skills.map { s in
            [s.predictor.rawValue + (s.predictor.isBaseline ? " (baseline)" : ""), cell(s.spearman), cell(s.auc),
             cell(s.topDecileCapture), cell(s.topDecileLift)]
        })
    }

    static func areaTable(_ skills: [AreaSkill]) -> String {
        pad([["area predictor", "top 1 % share", "PAI 1 %", "top 5 % share", "PAI 5 %"]] + skills.map { s in
            [s.predictor.rawValue, cell(s.hitRate1), cell(s.pai1, 1), cell(s.hitRate5), cell(s.pai5, 1)]
        })
    }

    public static func table(_ r: BacktestResult) -> String {
        var out = String(format: "%d routes, %.0f km; %d incidents; horizon %.0f days; radius %g km; %d area cells of %g km; "
                         + "intervals: 95 %% bootstrap (%d resamples)\n\n",
                         r.routes, r.routeKm, r.incidents, r.horizonDays, r.radiusKm, r.areaCells, r.cellKm, r.bootstrap)
        for c in r.cuts {
            out += "cut \(date(c.cut)): \(c.pastIncidents) incidents before, \(c.futureIncidents) in the horizon "
                + "(\(c.futureNearRoutes) within the radius of a route, \(c.futureInArea) in the area cells); "
                + "\(c.routesHit) routes hit\n"
            out += routeTable(c.routeSkills) + areaTable(c.areaSkills) + "\n"
        }
        out += "mean over the \(r.cuts.count) cuts\n" + routeTable(r.pooledRoutes) + areaTable(r.pooledArea)
        return out
    }

    static func number(_ x: Double?) -> JSONValue { x.map(JSONValue.number) ?? .null }

    static func candidate(_ c: Candidate) -> JSONValue {
        .object([.init("kernel", .string(c.kernel)), .init(c.kernel == "disk" ? "radius_km" : "sigma_km", .number(c.widthKm)),
                 .init("half_life_days", .number(c.halfLifeDays)), .init("severity", .bool(c.severity))])
    }

    /// The provenance and figures of a calibration, as the model file's `calibration` member.
    public static func calibrationJSON(_ r: CalibrationResult, sources: [String]) -> JSONValue {
        .object([
            .init("method", .string("rolling origin: at each cut after the first, the candidate with the best mean skill on the "
                                     + "earlier cuts is judged; skill = Spearman of mean hazard with future incidents within "
                                     + "the radius per km")),
            .init("incidents", .array(sources.map(JSONValue.string))), .init("incident_count", .number(Double(r.incidents))),
            .init("routes", .number(Double(r.routes))),
            .init("cuts", .array(r.cuts.map { .string(date($0)) })), .init("horizon_days", .number(r.horizonDays)),
            .init("radius_km", .number(r.radiusKm)), .init("chosen", candidate(r.chosen)),
            .init("held_out", .object([
                .init("chosen", number(r.heldOutChosen)), .init("starting_model", number(r.heldOutStarting)),
                .init("past_count_baseline", number(r.heldOutBaseline)),
                .init("cuts", .array(r.heldOut.map { h in
                    .object([.init("cut", .string(date(h.cut))), .init("chosen", candidate(h.chosen)),
                             .init("chosen_skill", number(h.chosenSkill)), .init("starting_skill", number(h.startingSkill)),
                             .init("baseline_skill", number(h.baselineSkill)),
                             .init("expected_incidents", .number(h.expectedIncidents)),
                             .init("observed_incidents", .number(h.observedIncidents))])
                })),
            ])),
            .init("incidents_per_exposure_year", .number(r.incidentsPerExposureYear)),
            .init("saturated_share", .object([.init("starting_scale", .number(r.saturatedBefore)),
                                               .init("fitted_scale", .number(r.saturatedAfter))])),
        ])
    }

    /// The calibrated model file: the model's keys, then `calibration`.
    public static func modelFile(_ r: CalibrationResult, sources: [String]) -> String {
        var members = ModelReader.json(r.model).objectMembers ?? []
        members.append(.init("calibration", calibrationJSON(r, sources: sources)))
        return JSONValue.object(members).serialized(pretty: true) + "\n"
    }

    public static func table(_ r: CalibrationResult) -> String {
        var out = "skill (Spearman of mean hazard with future incidents per km) at each cut\n"
        out += pad([["candidate"] + r.cuts.map(date) + ["mean"]] + r.skills.map { row in
            [row.candidate.description] + row.perCut.map { $0.map { String(format: "%.3f", $0) } ?? "-" }
                + [mean(row.perCut).map { String(format: "%.3f", $0) } ?? "-"]
        })
        out += "\nheld out (rolling origin)\n"
        out += pad([["cut", "chosen on earlier cuts", "chosen", "starting model", "past count/km", "expected pairs", "observed pairs"]]
                   + r.heldOut.map { h in
            [date(h.cut), h.chosen.description, h.chosenSkill.map { String(format: "%.3f", $0) } ?? "-",
             h.startingSkill.map { String(format: "%.3f", $0) } ?? "-", h.baselineSkill.map { String(format: "%.3f", $0) } ?? "-",
             String(format: "%.1f", h.expectedIncidents), String(format: "%.0f", h.observedIncidents)]
        })
        func f(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "-" }
        out += "(pairs: route-incident pairs within the radius, summed over routes)\n"
        out += "mean held-out skill: chosen \(f(r.heldOutChosen)), starting model \(f(r.heldOutStarting)), "
            + "past count/km \(f(r.heldOutBaseline))\n"
        out += "\nchosen on all cuts: \(r.chosen)\n"
        out += String(format: "score scale %.4g, bands %.1f / %.1f / %.1f; routes printing 100: %.1f %% before, %.1f %% after\n",
                      r.model.scoreScale, r.model.moderateFrom, r.model.highFrom, r.model.extremeFrom,
                      100 * r.saturatedBefore, 100 * r.saturatedAfter)
        out += String(format: "rate: %.4g incidents within %g km per unit of exposure per year\n", r.incidentsPerExposureYear,
                      r.radiusKm)
        return out
    }
}

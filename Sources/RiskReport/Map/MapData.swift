import Foundation
import Geo
import RiskCore

/// The page's data island: one JSON object (described in docs/html-report.md) that the page's
/// script reads to draw the map. The table and the figures in it are also in the page as HTML.
extension MapScene {
    /// Positions are integers in units of 1e-4 degree (11 m at most, far below the display
    /// tolerance); each line part is its first position, then the steps to each next one.
    static let positionUnit = 1e-4

    /// The heat layer's bytes cover three decades below the raster's largest value, on a
    /// logarithmic scale: 0 is below the range, 1...255 step evenly in log(h) from `low` to `high`.
    static let heatDecades = 3.0

    func dataJSON() -> JSONValue {
        // Routes name their leading incidents by index into `incidents`.
        let incidentIndex = Dictionary(incidents.enumerated().map { ($1.incident.id, $0) }, uniquingKeysWith: { first, _ in first })
        return .object([
            .init("format", "routerisk-map"),
            .init("version", 1),
            .init("kind", .string(kind.rawValue)),
            .init("title", .string(title)),
            .init("map_time", .string(iso8601(mapTime))),
            .init("ranked_by", .string(rankedBy.rawValue)),
            .init("model", .object([
                .init("kernel", .string(model.kernel.name)), .init("kernel_width_km", .number(model.kernel.widthKm)),
                .init("cutoff_km", .number(model.cutoffKm)),
                .init("half_life_days", .number(model.halfLifeDays)), .init("min_decay", .number(model.minDecay)),
                .init("score_scale", .number(model.scoreScale)),
                .init("bands", .object([.init("moderate", .number(model.moderateFrom)), .init("high", .number(model.highFrom)),
                                        .init("extreme", .number(model.extremeFrom))])),
            ])),
            .init("lines", .array(lines.map { parts in .array(parts.map(MapScene.encode)) })),
            .init("zones", .array(zones.map(zoneJSON))),
            .init("incidents", .array(incidents.map(incidentJSON))),
            .init("heat", heat.map(MapScene.heatJSON) ?? .null),
            .init("routes", .array(items.map { itemJSON($0, incidentIndex: incidentIndex) })),
            .init("run", run.map(runJSON) ?? .null),
        ])
    }

    static func encode(_ part: [Coordinate]) -> JSONValue {
        var out: [JSONValue] = []
        out.reserveCapacity(part.count * 2)
        var (lastX, lastY) = (0, 0)
        for c in part {
            let x = Int((c.x / positionUnit).rounded()), y = Int((c.y / positionUnit).rounded())
            out.append(.number(Double(x - lastX)))
            out.append(.number(Double(y - lastY)))
            (lastX, lastY) = (x, y)
        }
        return .array(out)
    }

    static func point(_ c: Coordinate) -> JSONValue {
        .array([degrees(c.x), degrees(c.y)])
    }

    private func zoneJSON(_ area: ZoneArea) -> JSONValue {
        let zone = area.zone
        return .object([
            .init("id", .string(zone.id)), .init("name", .string(zone.name)), .init("kind", .string(zone.kind)),
            .init("base", .number(zone.base)), .init("multiplier", .number(zone.multiplier)),
            .init("label", MapScene.point(area.label)),
            .init("polygons", .array((zone.shape.polygons ?? []).map { rings in .array(rings.map(MapScene.encode)) })),
        ])
    }

    private func incidentJSON(_ m: MapIncident) -> JSONValue {
        let i = m.incident
        let ageDays = mapTime.timeIntervalSince(i.time) / 86_400
        return .object([
            .init("id", .string(i.id)),
            .init("date", .string(iso8601(i.time))),
            .init("category", i.category.map(JSONValue.string) ?? .null),
            .init("target", i.target.map(JSONValue.string) ?? .null),
            .init("place", .string(m.place)),
            .init("text", i.description.map(JSONValue.string) ?? .null),
            .init("killed", .number(i.killed)), .init("injured", .number(i.injured)),
            .init("at", MapScene.point(i.location)),
            .init("weight", measure(m.weight)),
            .init("decay", m.decay.map(measure) ?? .null),
            .init("age_days", measure(ageDays)),
        ])
    }

    static func heatJSON(_ raster: HeatRaster) -> JSONValue {
        let high = raster.values.max() ?? 0
        let low = high / pow(10, heatDecades)
        var bytes = [UInt8](repeating: 0, count: raster.values.count)
        if high > 0 {
            let span = log(high / low)
            for (index, h) in raster.values.enumerated() where h >= low {
                bytes[index] = UInt8(1 + (254 * log(h / low) / span).rounded())
            }
        }
        return .object([
            .init("west", degrees(raster.west)), .init("east", degrees(raster.east)),
            .init("south", degrees(raster.south)), .init("north", degrees(raster.north)),
            .init("columns", .number(Double(raster.columns))), .init("rows", .number(Double(raster.rows))),
            .init("low", measure(low)), .init("high", measure(high)),
            .init("values", .string(Data(bytes).base64EncodedString())),
        ])
    }

    private func itemJSON(_ item: Item, incidentIndex: [String: Int]) -> JSONValue {
        let r = item.result
        var members: [JSONValue.Member] = [.init("rank", .number(Double(item.rank)))]
        if let movement = item.movementID { members.append(.init("movement", .string(movement))) }
        members += [
            .init("id", .string(r.id)), .init("name", r.name.map(JSONValue.string) ?? .null),
            .init("line", .number(Double(item.line))),
            .init("evaluated_at", .string(iso8601(r.evaluatedAt))),
            .init("length_km", measure(r.lengthKm)), .init("exposure", measure(r.exposure)),
            .init("base_exposure", measure(r.baseExposure)), .init("incident_exposure", measure(r.incidentExposure)),
            .init("mean_hazard", measure(r.meanHazard)), .init("peak_hazard", measure(r.peakHazard)),
            .init("peak_at_km", measure(r.peakAtKm)), .init("peak", MapScene.point(r.peakLocation)),
            .init("score", measure(r.score)), .init("band", .string(r.band.rawValue)),
            .init("zones", .array(r.zones.map { .array([.string($0.name), measure($0.km)]) })),
            .init("top", .array(zip(r.topIncidents, item.closestPoints).map { top, point in
                .array([incidentIndex[top.id].map { .number(Double($0)) } ?? .null, measure(top.share), measure(top.closestKm),
                        measure(top.atKm), degrees(point.x), degrees(point.y)])
            })),
        ]
        if let e = item.escalation {
            members.append(.init("escalation", .object([
                .init("old_band", .string(e.oldBand.rawValue)), .init("old_score", measure(e.oldScore)),
                .init("driver", e.driver.flatMap { incidentIndex[$0] }.map { .number(Double($0)) } ?? .null),
            ])))
        }
        return .object(members)
    }

    private func runJSON(_ run: RunSummary) -> JSONValue {
        .object([
            .init("id", .number(Double(run.id))), .init("as_of", .string(iso8601(run.asOf))), .init("window", .string(run.window)),
            .init("selected", .number(Double(run.selected))), .init("scored", .number(Double(run.scored))),
            .init("bands", .object(Band.allCases.map { .init($0.rawValue, .number(Double(run.bands[$0] ?? 0))) })),
            .init("failed", .array(run.failed.map { .object([.init("movement", .string($0.movementID)), .init("reason", .string($0.reason))]) })),
        ])
    }
}

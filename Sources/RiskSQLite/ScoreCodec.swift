import Foundation
import Geo
import RiskCore

/// How a `RouteResult` is kept in a `scores` row: numbers in columns, zones and leading
/// incidents as compact JSON (with each incident's absolute exposure, which updates merge on).
enum ScoreCodec {
    static func zones(_ zones: [ZoneLength]) -> String {
        JSONValue.array(zones.map { .object([.init("id", .string($0.id)), .init("name", .string($0.name)), .init("km", .number($0.km))]) })
            .serialized()
    }

    static func incidents(_ incidents: [IncidentContribution]) -> String {
        JSONValue.array(incidents.map {
            .object([.init("id", .string($0.id)), .init("exposure", .number($0.exposure)), .init("share", .number($0.share)),
                     .init("closest_km", .number($0.closestKm)), .init("at_km", .number($0.atKm))])
        }).serialized()
    }

    static func result(_ row: SQLRow) -> RouteResult {
        let zones = (try? JSONValue.parse(row["zones"].string ?? "[]"))?.arrayValue ?? []
        let top = (try? JSONValue.parse(row["top_incidents"].string ?? "[]"))?.arrayValue ?? []
        return RouteResult(
            id: row["route_id"].string ?? "", name: nil,
            evaluatedAt: Date(timeIntervalSince1970: row["evaluated_at"].double ?? 0),
            lengthKm: row["length_km"].double ?? 0, exposure: row["exposure"].double ?? 0,
            baseExposure: row["base_exposure"].double ?? 0, incidentExposure: row["incident_exposure"].double ?? 0,
            meanHazard: row["mean_hazard"].double ?? 0, peakHazard: row["peak_hazard"].double ?? 0,
            peakAtKm: row["peak_at_km"].double ?? 0,
            peakLocation: Coordinate(row["peak_lon"].double ?? 0, row["peak_lat"].double ?? 0),
            score: row["score"].double ?? 0, band: Band(rawValue: row["band"].string ?? "") ?? .low,
            zones: zones.map { ZoneLength(id: $0["id"]?.stringValue ?? "", name: $0["name"]?.stringValue ?? "", km: $0["km"]?.numberValue ?? 0) },
            topIncidents: top.map {
                IncidentContribution(id: $0["id"]?.stringValue ?? "", exposure: $0["exposure"]?.numberValue ?? 0,
                                     share: $0["share"]?.numberValue ?? 0, closestKm: $0["closest_km"]?.numberValue ?? .nan,
                                     atKm: $0["at_km"]?.numberValue ?? .nan)
            })
    }
}

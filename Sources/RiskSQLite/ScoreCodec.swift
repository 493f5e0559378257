import Foundation
import Geo
import RiskBatch
import RiskCore

/// How a movement's score is kept in a `scores` row: numbers in columns, zones and leading
/// incidents as compact JSON (`ResultJSON`).
enum ScoreCodec {
    /// The columns `score(_:)` reads, without the route fingerprint and the profile.
    static let columns = ["run_id", "movement_id", "route_id", "evaluated_at", "length_km", "exposure", "base_exposure",
                          "incident_exposure", "mean_hazard", "peak_hazard", "peak_at_km", "peak_lon", "peak_lat", "score", "band",
                          "zones", "top_incidents"]
    static let key = ["run_id", "movement_id"]

    static func score(_ row: StoredRow) throws -> MovementScore {
        let zones = try json(row, "zones", ResultJSON.zones(from:))
        let top = try json(row, "top_incidents", ResultJSON.incidents(from:))
        let result = RouteResult(
            id: try row.text("route_id"), name: nil, evaluatedAt: try row.date("evaluated_at"),
            lengthKm: try row.real("length_km"), exposure: try row.real("exposure"), baseExposure: try row.real("base_exposure"),
            incidentExposure: try row.real("incident_exposure"), meanHazard: try row.real("mean_hazard"),
            peakHazard: try row.real("peak_hazard"), peakAtKm: try row.real("peak_at_km"),
            peakLocation: Coordinate(try row.real("peak_lon"), try row.real("peak_lat")), score: try row.real("score"),
            band: try row.choice("band", as: Band.self), zones: zones, topIncidents: top)
        return MovementScore(movementID: try row.text("movement_id"), routeID: result.id, result: result)
    }

    /// A JSON list column decoded by `ResultJSON`, its failure naming the row and column.
    private static func json<T>(_ row: StoredRow, _ column: String, _ decode: (String) throws -> T) throws -> T {
        let text = try row.text(column)
        do {
            return try decode(text)
        } catch let invalid as ResultJSON.Invalid {
            throw row.error(column, invalid.reason)
        }
    }
}

import Foundation
import Geo
import RiskBatch
import RiskCore

/// How a movement's score is kept in a `scores` row: numbers in columns, zones and leading
/// incidents as compact JSON (with each incident's absolute exposure, which updates merge on).
enum ScoreCodec {
    /// The columns `score(_:)` reads, without the route fingerprint and the profile.
    static let columns = ["run_id", "movement_id", "route_id", "evaluated_at", "length_km", "exposure", "base_exposure",
                          "incident_exposure", "mean_hazard", "peak_hazard", "peak_at_km", "peak_lon", "peak_lat", "score", "band",
                          "zones", "top_incidents"]
    static let key = ["run_id", "movement_id"]

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

    static func score(_ row: StoredRow) throws -> MovementScore {
        let zones = try items(row, "zones").map { item in
            ZoneLength(id: try item.string("id"), name: try item.string("name"), km: try item.number("km"))
        }
        let top = try items(row, "top_incidents").map { item in
            IncidentContribution(id: try item.string("id"), exposure: try item.number("exposure"), share: try item.number("share"),
                                 closestKm: try item.number("closest_km"), atKm: try item.number("at_km"))
        }
        let result = RouteResult(
            id: try row.text("route_id"), name: nil, evaluatedAt: try row.date("evaluated_at"),
            lengthKm: try row.real("length_km"), exposure: try row.real("exposure"), baseExposure: try row.real("base_exposure"),
            incidentExposure: try row.real("incident_exposure"), meanHazard: try row.real("mean_hazard"),
            peakHazard: try row.real("peak_hazard"), peakAtKm: try row.real("peak_at_km"),
            peakLocation: Coordinate(try row.real("peak_lon"), try row.real("peak_lat")), score: try row.real("score"),
            band: try row.choice("band", as: Band.self), zones: zones, topIncidents: top)
        return MovementScore(movementID: try row.text("movement_id"), routeID: result.id, result: result)
    }

    /// The objects of a JSON array column.
    private static func items(_ row: StoredRow, _ column: String) throws -> [JSONItem] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(try row.text(column))
        } catch let error as StoredValueError {
            throw error
        } catch {
            throw row.error(column, "not JSON: \(error)")
        }
        guard let array = value.arrayValue else { throw row.error(column, "\(value.kindName), not an array") }
        return try array.enumerated().map { index, item in
            guard item.objectMembers != nil else { throw row.error(column, "item \(index + 1) is \(item.kindName), not an object") }
            return JSONItem(row: row, column: column, index: index, value: item)
        }
    }

    /// One object in a JSON array column; errors name the column, the item and the key.
    private struct JSONItem {
        let row: StoredRow
        let column: String
        let index: Int
        let value: JSONValue

        private func member(_ key: String) throws -> JSONValue {
            guard let member = value[key] else { throw row.error(column, "item \(index + 1) has no \"\(key)\"") }
            return member
        }

        func string(_ key: String) throws -> String {
            let member = try member(key)
            guard let string = member.stringValue else {
                throw row.error(column, "item \(index + 1): \"\(key)\" is \(member.kindName), not a string")
            }
            return string
        }

        func number(_ key: String) throws -> Double {
            let member = try member(key)
            guard let number = member.numberValue, number.isFinite else {
                throw row.error(column, "item \(index + 1): \"\(key)\" is \(member.kindName), not a finite number")
            }
            return number
        }
    }
}

import Foundation
import Geo
import RiskCore

/// A movement as read from a file, with the route it carries itself when it has a geometry.
public struct MovementRecord: Sendable, Equatable {
    public var movement: Movement
    public var ownRoute: Route?
}

/// Reads scheduled movements: CSV with columns `id`, `route_id`, `departs_at`, optional `status`
/// (`scheduled` by default, `cancelled` or `done`) and `labels`; or GeoJSON features with the
/// same properties, whose geometry, when present, is the movement's own route (stored under
/// `route_id` if given, else `movement-<id>`).
public struct MovementReader: Sendable {
    public var dayFirst: Bool
    public var strict: Bool

    public init(dayFirst: Bool = false, strict: Bool = false) {
        self.dayFirst = dayFirst
        self.strict = strict
    }

    public func read(contentsOf url: URL) throws -> ReadResult<MovementRecord> {
        try read(.file(url))
    }

    /// GeoJSON when the name ends in `.geojson` / `.json` or the text opens an object; else CSV.
    public func read(_ source: InputSource) throws -> ReadResult<MovementRecord> {
        let text = try source.text()
        let isJSON = ["geojson", "json"].contains(source.pathExtension) || InputSource.looksLikeJSONObject(text)
        return isJSON ? try parseGeoJSON(text, file: source.name) : try parseCSV(text, file: source.name)
    }

    public func parseCSV(_ text: String, file: String) throws -> ReadResult<MovementRecord> {
        let table = try CSVReader(file: file).parse(text)
        for required in ["id", "route_id", "departs_at"] where table.column(named: required) == nil {
            throw InputError(file: file, location: "line \(table.headerLine)", field: required,
                             reason: "the header has no column \"\(required)\"")
        }
        let rows = try table.rows(strict: strict)
        var problems = Problems(strict: strict)
        rows.warnings.forEach { problems.note($0) }
        var seen: Set<String> = []
        var records: [MovementRecord] = []
        for row in rows.items {
            func field(_ name: String) -> String? {
                table.column(named: name).map { row.fields[$0].trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            do throws(ItemProblem) {
                let movement = try makeMovement(id: field("id"), routeID: field("route_id"), departsAt: field("departs_at"),
                                                status: field("status"), labels: field("labels"), seen: &seen)
                records.append(MovementRecord(movement: movement, ownRoute: nil))
            } catch {
                try problems.reject(Diagnostic(file: file, location: "line \(row.line)", field: error.field, reason: error.reason))
            }
        }
        return ReadResult(items: records, warnings: problems.warnings)
    }

    public func parseGeoJSON(_ text: String, file: String) throws -> ReadResult<MovementRecord> {
        var problems = Problems(strict: strict)
        var seen: Set<String> = []
        var records: [MovementRecord] = []
        for feature in try FeatureFile.features(in: text, file: file) {
            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let members = try feature.properties()
                func string(_ key: String) throws(ItemProblem) -> String? {
                    guard let value = members.value(key) else { return nil }
                    guard let text = FeatureFile.identifier(value) else {
                        throw ItemProblem(field: key, "must be a string, got \(value.kindName)")
                    }
                    return text
                }
                let id = try string("id") ?? feature.topLevelID
                var ownRoute: Route?
                var routeID = try string("route_id")
                if let geometry = feature.value["geometry"], !geometry.isNull {
                    let shape = try RouteReader.cleanLine(feature.shape())
                    routeID = routeID ?? id.map { "movement-\($0)" }
                    ownRoute = routeID.map { Route(id: $0, name: try? string("name"), shape: shape) }
                }
                let movement = try makeMovement(id: id, routeID: routeID, departsAt: try string("departs_at"),
                                                status: try string("status"), labels: try string("labels"), seen: &seen)
                records.append(MovementRecord(movement: movement, ownRoute: ownRoute))
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return ReadResult(items: records, warnings: problems.warnings)
    }

    private func makeMovement(id: String?, routeID: String?, departsAt: String?, status: String?, labels: String?,
                              seen: inout Set<String>) throws(ItemProblem) -> Movement {
        guard let id, !id.isEmpty else { throw ItemProblem(field: "id", "is missing") }
        guard seen.insert(id).inserted else { throw ItemProblem(field: "id", "duplicate movement id \"\(id)\"") }
        guard let routeID, !routeID.isEmpty else {
            throw ItemProblem(field: "route_id", "is missing (give a route id, or a geometry in GeoJSON)")
        }
        guard let departsAt, !departsAt.isEmpty else { throw ItemProblem(field: "departs_at", "is missing") }
        guard let departure = DateParser(dayFirst: dayFirst).parse(departsAt) else {
            throw ItemProblem(field: "departs_at", "\"\(departsAt)\" is not a date or date-time")
        }
        let statusText = (status ?? "").lowercased()
        guard let parsedStatus = statusText.isEmpty ? .scheduled : Movement.Status(rawValue: statusText) else {
            throw ItemProblem(field: "status", "\"\(status ?? "")\" is not scheduled, cancelled or done")
        }
        return Movement(id: id, routeID: routeID, departsAt: departure, status: parsedStatus, labels: labels ?? "")
    }
}

import Foundation
import Geo
import RiskCore

/// Reads routes from GeoJSON: a FeatureCollection or a single Feature of LineString /
/// MultiLineString, with properties `id` (or the feature's own `id`), `name` and `departs_at`
/// (ISO 8601).
///
/// Route ids name the results the planners act on, so a repeated id is always fatal (even when
/// not strict): scoring two different routes under one name would be worse than scoring none.
/// A route without an id is `route-N`, N its 1-based position in its file.
public struct RouteReader: Sendable {
    public var strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    public func read(contentsOf url: URL) throws -> ReadResult<Route> {
        try readEach([.file(url)])[0]
    }

    public func parse(_ text: String, file: String) throws -> ReadResult<Route> {
        try readEach([.text(text, name: file)])[0]
    }

    /// The routes of several files, in file order; an id repeated within or across files is an
    /// InputError naming both places.
    public func readAll(_ urls: [URL]) throws -> ReadResult<Route> {
        let each = try readEach(urls.map(InputSource.file))
        return ReadResult(items: each.flatMap(\.items), warnings: each.flatMap(\.warnings))
    }

    /// One result per source, in order; an id repeated within or across sources is an InputError
    /// naming both places.
    public func readEach(_ sources: [InputSource]) throws -> [ReadResult<Route>] {
        var firstSeen: [String: String] = [:]
        var results: [ReadResult<Route>] = []
        for source in sources {
            let file = source.name
            let (routes, warnings) = try parseLocated(source.text(), file: file)
            var result = ReadResult<Route>(warnings: warnings)
            for located in routes {
                if let earlier = firstSeen[located.route.id] {
                    throw InputError(file: file, location: located.location, field: "id",
                                     reason: "duplicate route id \"\(located.route.id)\" (also \(earlier))")
                }
                firstSeen[located.route.id] = "\(file) \(located.location)"
                result.items.append(located.route)
            }
            results.append(result)
        }
        return results
    }

    private struct LocatedRoute {
        var route: Route
        var location: String
    }

    private func parseLocated(_ text: String, file: String) throws -> ([LocatedRoute], [Diagnostic]) {
        let features = try FeatureFile.features(in: text, file: file)
        var problems = Problems(strict: strict)
        var firstSeen: [String: String] = [:]
        var routes: [LocatedRoute] = []

        for feature in features {
            // The id is settled first so that a repeat is caught even on a feature that is bad
            // for another reason: the clash would surface as soon as that feature is fixed.
            let properties = try? feature.properties()
            let explicitID = properties?.value("id").flatMap(FeatureFile.identifier) ?? feature.topLevelID
            let id = explicitID ?? "route-\(feature.number)"
            if let earlier = firstSeen[id] {
                throw InputError(file: file, location: feature.location, field: "id",
                                 reason: "duplicate route id \"\(id)\" (also \(earlier))")
            }
            firstSeen[id] = feature.location

            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let members = try feature.properties()
                // A blank string id falls back like a missing one; a boolean or object is a mistake.
                if let bad = members.value("id"), bad.stringValue == nil, FeatureFile.identifier(bad) == nil {
                    throw ItemProblem(field: "id", "must be a string or a number, got \(bad.kindName)")
                }
                let name = try RouteReader.name(members)
                let departsAt = try RouteReader.departure(members)
                let shape = try RouteReader.cleanLine(feature.shape())
                routes.append(LocatedRoute(route: Route(id: id, name: name, departsAt: departsAt, shape: shape),
                                           location: feature.location))
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return (routes, problems.warnings)
    }

    private static func name(_ members: [JSONValue.Member]) throws(ItemProblem) -> String? {
        guard let value = members.value("name") else { return nil }
        guard let text = value.stringValue else {
            throw ItemProblem(field: "name", "must be a string, got \(value.kindName)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func departure(_ members: [JSONValue.Member]) throws(ItemProblem) -> Date? {
        guard let value = members.value("departs_at") else { return nil }
        guard let text = value.stringValue else {
            throw ItemProblem(field: "departs_at", "must be an ISO 8601 string, got \(value.kindName)")
        }
        guard let date = DateParser().parseISO8601(text) else {
            throw ItemProblem(field: "departs_at", "\"\(text)\" is not an ISO 8601 date or date-time")
        }
        return date
    }

    /// The line with repeated consecutive positions dropped (they add no length and confuse
    /// linear referencing); a part left with fewer than two positions is a bad feature.
    static func cleanLine(_ shape: Shape) throws(ItemProblem) -> Shape {
        guard let parts = shape.lineParts else {
            throw ItemProblem(field: "geometry", "must be a LineString or MultiLineString, got \(shape.typeName)")
        }
        guard !parts.isEmpty else { throw ItemProblem(field: "geometry", "has no lines") }
        try Feature.validateGeographic(shape)
        var cleaned: [[Coordinate]] = []
        for (index, part) in parts.enumerated() {
            var line: [Coordinate] = []
            for c in part where line.last != c { line.append(c) }
            guard line.count >= 2 else {
                let which = parts.count == 1 ? "the line" : "line \(index + 1)"
                throw ItemProblem(field: "geometry", "\(which) has fewer than 2 distinct positions")
            }
            cleaned.append(line)
        }
        if case .lineString = shape { return .lineString(cleaned[0]) }
        return .multiLineString(cleaned)
    }
}

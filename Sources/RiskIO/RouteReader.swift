import Foundation
import Geo
import RiskCore

/// Reads routes from GeoJSON: a FeatureCollection or a single Feature of LineString /
/// MultiLineString, with properties `id` (or the feature's own `id`), `name` and `departs_at`
/// (ISO 8601); from KML and GPX (see `XMLRouteReader`), chosen by the `.kml` / `.gpx`
/// extension or a text that opens with `<`; and from the line layers of a GeoPackage (see
/// `GeoPackageRouteReader`), chosen by the `.gpkg` extension or an SQLite file's first bytes.
///
/// Route ids name the results the planners act on, so a repeated id is always fatal (even when
/// not strict): scoring two different routes under one name would be worse than scoring none.
/// A route without an id is `<file name without extension>-N`, N its 1-based position in its
/// file (a GeoPackage's feature id), so id-less files do not collide unless their names do.
public struct RouteReader: Sendable {
    public var strict: Bool
    /// How a `departs_at` with a time but no zone is read; refused by default.
    public var zoneless: DateParser.ZonelessTime

    public init(strict: Bool = false, zoneless: DateParser.ZonelessTime = .rejected) {
        self.strict = strict
        self.zoneless = zoneless
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
            let (routes, warnings) = try parseLocated(source)
            var result = ReadResult<Route>(warnings: warnings)
            for located in routes {
                if let earlier = firstSeen[located.route.id] {
                    // Two files of one name in different folders give the same generated ids.
                    let hint = located.generatedID
                        ? "; a route without an id is named after its file: give the routes ids, or rename one of the files" : ""
                    throw InputError(file: file, location: located.location, field: "id",
                                     reason: "duplicate route id \"\(located.route.id)\" (also \(earlier))" + hint)
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
        /// The id was made from the file name (the route had none).
        var generatedID: Bool
    }

    /// The id of a route without one: the file's name without its extension, then `number`, so
    /// that id-less routes of different files do not collide.
    static func defaultID(stem: String, number: String) -> String {
        Identifier.normalized("\(stem)-\(number)")
    }

    private func parseLocated(_ source: InputSource) throws -> ([LocatedRoute], [Diagnostic]) {
        let file = source.name
        let text: String
        switch source.content {
        case .file(let url) where source.pathExtension == "gpkg":
            let geoPackage = try GeoPackageRouteReader(path: url.path, file: file, zoneless: zoneless)
            return try settle(geoPackage.items(), file: file, stem: source.stem)
        case .text(let inMemory):
            text = inMemory
        case .file, .data:
            // Read once (standard input cannot be read twice), then told apart by content.
            let bytes = try source.data()
            if source.pathExtension == "gpkg" || GeoPackageRouteReader.isSQLite(bytes) {
                let geoPackage = try GeoPackageRouteReader(bytes: bytes, file: file, zoneless: zoneless)
                return try settle(geoPackage.items(), file: file, stem: source.stem)
            }
            text = TextDecoding.decode(bytes)
        }
        if XMLRouteReader.isXMLRouteFile(name: file, text: text) {
            return try settle(XMLRouteReader.items(in: text, file: file), file: file, stem: source.stem)
        }
        let features = try FeatureFile.features(in: text, file: file)
        var problems = Problems(strict: strict)
        var firstSeen: [String: String] = [:]
        var routes: [LocatedRoute] = []

        for feature in features {
            // The id is settled first so that a repeat is caught even on a feature that is bad
            // for another reason: the clash would surface as soon as that feature is fixed.
            let properties = try? feature.properties()
            let explicitID = properties?.value("id").flatMap(FeatureFile.identifier) ?? feature.topLevelID
            let id = explicitID.map(Identifier.normalized) ?? RouteReader.defaultID(stem: source.stem, number: "\(feature.number)")
            if let earlier = firstSeen[id] {
                throw InputError(file: file, location: feature.location, field: "id",
                                 reason: "duplicate route id \"\(id)\" (also \(earlier))")
            }
            firstSeen[id] = feature.location

            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let members = try feature.properties()
                _ = try checkedID(id)
                // A blank string id falls back like a missing one; a boolean or object is a mistake.
                if let bad = members.value("id"), bad.stringValue == nil, FeatureFile.identifier(bad) == nil {
                    throw ItemProblem(field: "id", "must be a string or a number, got \(bad.kindName)")
                }
                let name = try RouteReader.name(members)
                let departsAt = try RouteReader.departure(members, parser: DateParser(zoneless: zoneless))
                let shape = try RouteReader.cleanLine(feature.shape())
                routes.append(LocatedRoute(route: Route(id: id, name: name, departsAt: departsAt, shape: shape),
                                           location: feature.location, generatedID: explicitID == nil))
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return (routes, problems.warnings)
    }

    /// The routes of a KML, GPX or GeoPackage file, their ids settled: one without an id is named
    /// after the file (`defaultID`), numbered by its position among the file's routes unless the
    /// format numbers its features itself.
    private func settle(_ items: [RouteItem], file: String, stem: String) throws -> ([LocatedRoute], [Diagnostic]) {
        var problems = Problems(strict: strict)
        var firstSeen: [String: String] = [:]
        var routes: [LocatedRoute] = []
        for (index, item) in items.enumerated() {
            let id = item.id.map(Identifier.normalized) ?? RouteReader.defaultID(stem: stem, number: item.number ?? "\(index + 1)")
            if let earlier = firstSeen[id] {
                throw InputError(file: file, location: item.location, field: "id", reason: "duplicate route id \"\(id)\" (also \(earlier))")
            }
            firstSeen[id] = item.location
            do {
                _ = try checkedID(id)
                let shape = try RouteReader.cleanLine(try item.shape.get())
                routes.append(LocatedRoute(route: Route(id: id, name: item.name, departsAt: item.departsAt, shape: shape),
                                           location: item.location, generatedID: item.id == nil))
            } catch {
                try problems.reject(Diagnostic(file: file, location: item.location, field: error.field, reason: error.reason))
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

    private static func departure(_ members: [JSONValue.Member], parser: DateParser) throws(ItemProblem) -> Date? {
        guard let value = members.value("departs_at") else { return nil }
        guard let text = value.stringValue else {
            throw ItemProblem(field: "departs_at", "must be an ISO 8601 string, got \(value.kindName)")
        }
        return try departure(text, parser: parser)
    }

    /// A route's `departs_at` text as a time: ISO 8601, and with a zone unless `parser` supplies one.
    static func departure(_ text: String, parser: DateParser) throws(ItemProblem) -> Date {
        guard let date = parser.parseISO8601(text) else {
            if DateParser.lacksZone(text) { throw ItemProblem(field: "departs_at", DateParser.zonelessReason(text)) }
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
        try checkVertexCount(shape)
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

/// One route read from a KML, GPX or GeoPackage file, before its id is settled.
struct RouteItem {
    var id: String?
    var name: String?
    var departsAt: Date?
    /// Where it is, for diagnostics: `Placemark 2 ("M-8") at line 14`, `table "roads" fid 3`.
    var location: String
    /// What follows the file name in the id of a route without one; nil: its position in the file.
    var number: String?
    var shape: Result<Shape, ItemProblem>
}

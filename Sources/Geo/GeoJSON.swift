import Foundation

/// RFC 7946 geometry objects to and from `Shape`.
public enum GeoJSON {
    /// Parses the text of a geometry object.
    public static func parseGeometry(_ text: String) throws -> Shape {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw GeoError.invalidGeoJSON(path: "$", reason: "not JSON: \(error)")
        }
        return try geometry(value, path: "$")
    }

    /// Reads a geometry object; `path` names where it sits, for errors (e.g. `features[3].geometry`).
    public static func geometry(_ value: JSONValue, path: String) throws -> Shape {
        guard case .object = value else {
            throw GeoError.invalidGeoJSON(path: path, reason: "expected a geometry object, got \(value.kindName)")
        }
        guard let type = value["type"]?.stringValue else {
            throw GeoError.invalidGeoJSON(path: path, reason: "missing string member \"type\"")
        }
        let coordinateTypes: Set = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]
        guard type == "GeometryCollection" || coordinateTypes.contains(type) else {
            throw GeoError.invalidGeoJSON(path: path, reason: "not a geometry type: \"\(type)\"")
        }
        if type == "GeometryCollection" {
            guard let members = value["geometries"]?.arrayValue else {
                throw GeoError.invalidGeoJSON(path: path, reason: "GeometryCollection needs an array \"geometries\"")
            }
            return .geometryCollection(try members.enumerated().map { try geometry($1, path: "\(path).geometries[\($0)]") })
        }
        guard let coordinates = value["coordinates"] else {
            throw GeoError.invalidGeoJSON(path: path, reason: "\(type) needs a member \"coordinates\"")
        }
        let at = "\(path).coordinates"
        switch type {
        case "Point":
            return .point(try position(coordinates, path: at))
        case "MultiPoint":
            return .multiPoint(try positions(coordinates, path: at, minimum: 0))
        case "LineString":
            return .lineString(try positions(coordinates, path: at, minimum: 2))
        case "MultiLineString":
            return .multiLineString(try array(coordinates, path: at).enumerated().map {
                try positions($1, path: "\(at)[\($0)]", minimum: 2)
            })
        case "Polygon":
            return .polygon(try rings(coordinates, path: at))
        case "MultiPolygon":
            return .multiPolygon(try array(coordinates, path: at).enumerated().map { try rings($1, path: "\(at)[\($0)]") })
        default:
            preconditionFailure("geometry type \(type) passed the check above")
        }
    }

    private static func array(_ value: JSONValue, path: String) throws -> [JSONValue] {
        guard let items = value.arrayValue else {
            throw GeoError.invalidGeoJSON(path: path, reason: "expected an array, got \(value.kindName)")
        }
        return items
    }

    private static func position(_ value: JSONValue, path: String) throws -> Coordinate {
        let items = try array(value, path: path)
        guard items.count >= 2 else {
            throw GeoError.invalidGeoJSON(path: path, reason: "a position needs at least 2 numbers, got \(items.count)")
        }
        guard let x = items[0].numberValue, let y = items[1].numberValue else {
            throw GeoError.invalidGeoJSON(path: path, reason: "a position must hold numbers")
        }
        return Coordinate(x, y)
    }

    private static func positions(_ value: JSONValue, path: String, minimum: Int) throws -> [Coordinate] {
        let items = try array(value, path: path)
        guard items.count >= minimum else {
            throw GeoError.invalidGeoJSON(path: path, reason: "needs at least \(minimum) positions, got \(items.count)")
        }
        return try items.enumerated().map { try position($1, path: "\(path)[\($0)]") }
    }

    private static func rings(_ value: JSONValue, path: String) throws -> [[Coordinate]] {
        try array(value, path: path).enumerated().map { index, ringValue in
            let ringPath = "\(path)[\(index)]"
            let ring = try positions(ringValue, path: ringPath, minimum: 4)
            guard ring.first == ring.last else {
                throw GeoError.invalidGeoJSON(path: ringPath, reason: "a linear ring must end where it starts")
            }
            return ring
        }
    }

    /// The geometry object as a JSON value.
    public static func value(_ shape: Shape) -> JSONValue {
        func position(_ c: Coordinate) -> JSONValue { .array([.number(c.x), .number(c.y)]) }
        func line(_ cs: [Coordinate]) -> JSONValue { .array(cs.map(position)) }
        func polygon(_ rings: [[Coordinate]]) -> JSONValue { .array(rings.map(line)) }
        let type = JSONValue.Member("type", .string(shape.typeName))
        switch shape {
        case .point(let c): return .object([type, .init("coordinates", position(c))])
        case .lineString(let cs), .multiPoint(let cs): return .object([type, .init("coordinates", line(cs))])
        case .polygon(let rings), .multiLineString(let rings): return .object([type, .init("coordinates", polygon(rings))])
        case .multiPolygon(let polygons): return .object([type, .init("coordinates", .array(polygons.map(polygon)))])
        case .geometryCollection(let shapes): return .object([type, .init("geometries", .array(shapes.map(value)))])
        }
    }

    public static func serialize(_ shape: Shape) -> String {
        value(shape).serialized()
    }
}

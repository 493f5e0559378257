/// A geometry as a plain value: what the domain stores and passes between threads.
/// GEOS handles (`Geometry`) are made from it inside one context when an operation needs them.
///
/// An empty GEOS point has no value here; it reads back as an empty `geometryCollection`.
public indirect enum Shape: Hashable, Sendable {
    case point(Coordinate)
    case lineString([Coordinate])
    /// Exterior ring first, then holes; every ring closed.
    case polygon([[Coordinate]])
    case multiPoint([Coordinate])
    case multiLineString([[Coordinate]])
    case multiPolygon([[[Coordinate]]])
    case geometryCollection([Shape])

    /// The RFC 7946 type name.
    public var typeName: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        case .geometryCollection: "GeometryCollection"
        }
    }

    /// Every coordinate, in order.
    public var coordinates: [Coordinate] {
        switch self {
        case .point(let c): [c]
        case .lineString(let cs), .multiPoint(let cs): cs
        case .polygon(let rings), .multiLineString(let rings): rings.flatMap { $0 }
        case .multiPolygon(let polygons): polygons.flatMap { $0.flatMap { $0 } }
        case .geometryCollection(let shapes): shapes.flatMap(\.coordinates)
        }
    }

    public var envelope: Envelope? { Envelope(covering: coordinates) }

    /// The same shape with every coordinate mapped; used to project whole shapes.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Shape {
        switch self {
        case .point(let c): return .point(try transform(c))
        case .lineString(let cs): return .lineString(try cs.map(transform))
        case .multiPoint(let cs): return .multiPoint(try cs.map(transform))
        case .polygon(let rings): return .polygon(try rings.map { try $0.map(transform) })
        case .multiLineString(let lines): return .multiLineString(try lines.map { try $0.map(transform) })
        case .multiPolygon(let polygons):
            return .multiPolygon(try polygons.map { try $0.map { try $0.map(transform) } })
        case .geometryCollection(let shapes):
            return .geometryCollection(try shapes.map { try $0.mapCoordinates(transform) })
        }
    }

    /// The line parts of a LineString or MultiLineString; nil for any other type.
    public var lineParts: [[Coordinate]]? {
        switch self {
        case .lineString(let cs): [cs]
        case .multiLineString(let lines): lines
        default: nil
        }
    }

    /// The polygons of a Polygon or MultiPolygon; nil for any other type.
    public var polygons: [[[Coordinate]]]? {
        switch self {
        case .polygon(let rings): [rings]
        case .multiPolygon(let polygons): polygons
        default: nil
        }
    }

    /// Throws unless every coordinate is a valid WGS84 longitude/latitude.
    public func validateGeographic() throws {
        for (index, c) in coordinates.enumerated() { try c.validateGeographic(index: index) }
    }
}

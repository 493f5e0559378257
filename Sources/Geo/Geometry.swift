import CGEOS

/// A GEOS geometry owned by Swift: created in one `GeometryContext`, freed exactly once when the
/// last reference goes. It keeps its context alive, so a geometry never outlives the handle it
/// was made with.
public final class Geometry {
    public let context: GeometryContext
    let handle: OpaquePointer

    /// Takes ownership of a geometry that GEOS returned to the caller.
    init(owning handle: OpaquePointer, in context: GeometryContext) {
        self.handle = handle
        self.context = context
    }

    deinit {
        GEOSGeom_destroy_r(context.handle, handle)
    }

    // MARK: Construction

    public convenience init(wkt: String, in context: GeometryContext) throws {
        guard let reader = GEOSWKTReader_create_r(context.handle) else { throw context.failure("WKT reader") }
        defer { GEOSWKTReader_destroy_r(context.handle, reader) }
        let handle = try context.check(GEOSWKTReader_read_r(context.handle, reader, wkt), "reading WKT")
        self.init(owning: handle, in: context)
    }

    public convenience init(wkb: [UInt8], in context: GeometryContext) throws {
        guard let reader = GEOSWKBReader_create_r(context.handle) else { throw context.failure("WKB reader") }
        defer { GEOSWKBReader_destroy_r(context.handle, reader) }
        let handle = try wkb.withUnsafeBufferPointer { buffer in
            try context.check(GEOSWKBReader_read_r(context.handle, reader, buffer.baseAddress, buffer.count), "reading WKB")
        }
        self.init(owning: handle, in: context)
    }

    /// Parses an RFC 7946 geometry object (not a Feature).
    public convenience init(geoJSON: String, in context: GeometryContext) throws {
        try self.init(GeoJSON.parseGeometry(geoJSON), in: context)
    }

    /// Builds the GEOS geometry of a value shape.
    public convenience init(_ shape: Shape, in context: GeometryContext) throws {
        self.init(owning: try Geometry.build(shape, context), in: context)
    }

    private static func sequence(_ coordinates: [Coordinate], _ context: GeometryContext) throws -> OpaquePointer {
        for (index, c) in coordinates.enumerated() where !(c.x.isFinite && c.y.isFinite) {
            throw GeoError.coordinateOutOfRange(index: index, x: c.x, y: c.y, reason: "not a finite number")
        }
        // Coordinate is two packed Doubles, so the array is GEOS's interleaved XY buffer.
        let sequence = coordinates.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                GEOSCoordSeq_copyFromBuffer_r(context.handle, doubles.baseAddress, UInt32(coordinates.count), 0, 0)
            }
        }
        return try context.check(sequence, "creating a coordinate sequence")
    }

    private static func ring(_ coordinates: [Coordinate], _ context: GeometryContext) throws -> OpaquePointer {
        guard coordinates.count >= 4 else {
            throw GeoError.invalidGeometry("a polygon ring needs at least 4 positions, got \(coordinates.count)")
        }
        guard coordinates.first == coordinates.last else {
            throw GeoError.invalidGeometry("a polygon ring must be closed (first position equal to the last)")
        }
        let seq = try sequence(coordinates, context)
        return try context.check(GEOSGeom_createLinearRing_r(context.handle, seq), "creating a linear ring")
    }

    private static func line(_ coordinates: [Coordinate], _ context: GeometryContext) throws -> OpaquePointer {
        guard coordinates.count >= 2 || coordinates.isEmpty else {
            throw GeoError.invalidGeometry("a line needs at least 2 positions, got \(coordinates.count)")
        }
        if coordinates.isEmpty {
            return try context.check(GEOSGeom_createEmptyLineString_r(context.handle), "creating an empty line")
        }
        let seq = try sequence(coordinates, context)
        return try context.check(GEOSGeom_createLineString_r(context.handle, seq), "creating a line")
    }

    private static func point(_ c: Coordinate, _ context: GeometryContext) throws -> OpaquePointer {
        guard c.x.isFinite, c.y.isFinite else {
            throw GeoError.coordinateOutOfRange(index: 0, x: c.x, y: c.y, reason: "not a finite number")
        }
        return try context.check(GEOSGeom_createPointFromXY_r(context.handle, c.x, c.y), "creating a point")
    }

    private static func polygon(_ rings: [[Coordinate]], _ context: GeometryContext) throws -> OpaquePointer {
        guard let shellCoordinates = rings.first else {
            return try context.check(GEOSGeom_createEmptyPolygon_r(context.handle), "creating an empty polygon")
        }
        let shell = try ring(shellCoordinates, context)
        var holes: [OpaquePointer?] = []
        do {
            for hole in rings.dropFirst() { holes.append(try ring(hole, context)) }
        } catch {
            GEOSGeom_destroy_r(context.handle, shell)
            for hole in holes { GEOSGeom_destroy_r(context.handle, hole) }
            throw error
        }
        // GEOS takes ownership of the shell and the holes (not of the array).
        let polygon = holes.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createPolygon_r(context.handle, shell, buffer.baseAddress, UInt32(buffer.count))
        }
        return try context.check(polygon, "creating a polygon")
    }

    private static func collection(_ type: GEOSGeomTypes, _ parts: [() throws -> OpaquePointer],
                                   _ context: GeometryContext) throws -> OpaquePointer {
        var members: [OpaquePointer?] = []
        do {
            for part in parts { members.append(try part()) }
        } catch {
            for member in members { GEOSGeom_destroy_r(context.handle, member) }
            throw error
        }
        let collection = members.withUnsafeMutableBufferPointer { buffer in
            GEOSGeom_createCollection_r(context.handle, Int32(type.rawValue), buffer.baseAddress, UInt32(buffer.count))
        }
        return try context.check(collection, "creating a collection")
    }

    private static func build(_ shape: Shape, _ context: GeometryContext) throws -> OpaquePointer {
        switch shape {
        case .point(let c):
            return try point(c, context)
        case .lineString(let cs):
            return try line(cs, context)
        case .polygon(let rings):
            return try polygon(rings, context)
        case .multiPoint(let cs):
            return try collection(GEOS_MULTIPOINT, cs.map { c in { try point(c, context) } }, context)
        case .multiLineString(let lines):
            return try collection(GEOS_MULTILINESTRING, lines.map { l in { try line(l, context) } }, context)
        case .multiPolygon(let polygons):
            return try collection(GEOS_MULTIPOLYGON, polygons.map { p in { try polygon(p, context) } }, context)
        case .geometryCollection(let shapes):
            return try collection(GEOS_GEOMETRYCOLLECTION, shapes.map { s in { try build(s, context) } }, context)
        }
    }

    // MARK: Output

    /// Well-known text; `precision` rounds to that many decimals, nil keeps full precision.
    public func wkt(precision: Int? = nil) throws -> String {
        guard let writer = GEOSWKTWriter_create_r(context.handle) else { throw context.failure("WKT writer") }
        defer { GEOSWKTWriter_destroy_r(context.handle, writer) }
        GEOSWKTWriter_setTrim_r(context.handle, writer, 1)
        if let precision { GEOSWKTWriter_setRoundingPrecision_r(context.handle, writer, Int32(precision)) }
        guard let text = GEOSWKTWriter_write_r(context.handle, writer, handle) else { throw context.failure("writing WKT") }
        defer { GEOSFree_r(context.handle, text) }
        return String(cString: text)
    }

    /// Little-endian ISO WKB (2D).
    public func wkb() throws -> [UInt8] {
        guard let writer = GEOSWKBWriter_create_r(context.handle) else { throw context.failure("WKB writer") }
        defer { GEOSWKBWriter_destroy_r(context.handle, writer) }
        var size = 0
        guard let bytes = GEOSWKBWriter_write_r(context.handle, writer, handle, &size) else {
            throw context.failure("writing WKB")
        }
        defer { GEOSFree_r(context.handle, bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// An RFC 7946 geometry object.
    public func geoJSON() throws -> String {
        GeoJSON.serialize(try shape())
    }

    /// The value shape of this geometry.
    public func shape() throws -> Shape {
        try Geometry.readShape(handle, context)
    }

    private static func readCoordinates(_ geometry: OpaquePointer, _ context: GeometryContext) throws -> [Coordinate] {
        guard let seq = GEOSGeom_getCoordSeq_r(context.handle, geometry) else { throw context.failure("reading coordinates") }
        var size: UInt32 = 0
        try context.checkStatus(GEOSCoordSeq_getSize_r(context.handle, seq, &size), "reading coordinates")
        var coordinates = [Coordinate](repeating: Coordinate(0, 0), count: Int(size))
        let status = coordinates.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                GEOSCoordSeq_copyToBuffer_r(context.handle, seq, doubles.baseAddress, 0, 0)
            }
        }
        try context.checkStatus(status, "reading coordinates")
        return coordinates
    }

    private static func readPolygon(_ geometry: OpaquePointer, _ context: GeometryContext) throws -> [[Coordinate]] {
        if GEOSisEmpty_r(context.handle, geometry) == 1 { return [] }
        guard let shell = GEOSGetExteriorRing_r(context.handle, geometry) else { throw context.failure("reading a polygon") }
        var rings = [try readCoordinates(shell, context)]
        let holes = GEOSGetNumInteriorRings_r(context.handle, geometry)
        guard holes >= 0 else { throw context.failure("reading a polygon") }
        for index in 0..<holes {
            guard let hole = GEOSGetInteriorRingN_r(context.handle, geometry, index) else { throw context.failure("reading a polygon") }
            rings.append(try readCoordinates(hole, context))
        }
        return rings
    }

    private static func members(_ geometry: OpaquePointer, _ context: GeometryContext) throws -> [OpaquePointer] {
        let count = GEOSGetNumGeometries_r(context.handle, geometry)
        guard count >= 0 else { throw context.failure("reading a collection") }
        return try (0..<count).map { index in
            try context.check(GEOSGetGeometryN_r(context.handle, geometry, index), "reading a collection")
        }
    }

    private static func readShape(_ geometry: OpaquePointer, _ context: GeometryContext) throws -> Shape {
        let type = GEOSGeomTypeId_r(context.handle, geometry)
        switch type {
        case Int32(GEOS_POINT.rawValue):
            if GEOSisEmpty_r(context.handle, geometry) == 1 { return .geometryCollection([]) }
            return .point(try readCoordinates(geometry, context)[0])
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(try readCoordinates(geometry, context))
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(try readPolygon(geometry, context))
        case Int32(GEOS_MULTIPOINT.rawValue):
            return .multiPoint(try members(geometry, context).map { try readCoordinates($0, context)[0] })
        case Int32(GEOS_MULTILINESTRING.rawValue):
            return .multiLineString(try members(geometry, context).map { try readCoordinates($0, context) })
        case Int32(GEOS_MULTIPOLYGON.rawValue):
            return .multiPolygon(try members(geometry, context).map { try readPolygon($0, context) })
        case Int32(GEOS_GEOMETRYCOLLECTION.rawValue):
            return .geometryCollection(try members(geometry, context).map { try readShape($0, context) })
        default:
            throw context.failure("reading geometry type \(type)")
        }
    }

    // MARK: Properties

    public var typeName: String {
        guard let name = GEOSGeomType_r(context.handle, handle) else { return "Unknown" }
        defer { GEOSFree_r(context.handle, name) }
        return String(cString: name)
    }

    public var isEmpty: Bool { GEOSisEmpty_r(context.handle, handle) == 1 }

    public func isValid() throws -> Bool {
        try context.checkPredicate(GEOSisValid_r(context.handle, handle), "validity check")
    }

    /// GEOS's reason for invalidity ("Valid Geometry" when valid).
    public func validityReason() throws -> String {
        guard let reason = GEOSisValidReason_r(context.handle, handle) else { throw context.failure("validity check") }
        defer { GEOSFree_r(context.handle, reason) }
        return String(cString: reason)
    }

    public func envelope() throws -> Envelope {
        var e = Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0)
        try context.checkStatus(GEOSGeom_getXMin_r(context.handle, handle, &e.minX), "envelope")
        try context.checkStatus(GEOSGeom_getYMin_r(context.handle, handle, &e.minY), "envelope")
        try context.checkStatus(GEOSGeom_getXMax_r(context.handle, handle, &e.maxX), "envelope")
        try context.checkStatus(GEOSGeom_getYMax_r(context.handle, handle, &e.maxY), "envelope")
        return e
    }

    /// Planar length in the geometry's own units (use `Geodesic` for lengths on the ellipsoid).
    public func length() throws -> Double {
        var value = 0.0
        try context.checkStatus(GEOSLength_r(context.handle, handle, &value), "length")
        return value
    }

    /// Planar area in the geometry's own units squared.
    public func area() throws -> Double {
        var value = 0.0
        try context.checkStatus(GEOSArea_r(context.handle, handle, &value), "area")
        return value
    }

    /// Planar minimum distance.
    public func distance(to other: Geometry) throws -> Double {
        var value = 0.0
        try context.checkStatus(GEOSDistance_r(context.handle, handle, other.handle, &value), "distance")
        return value
    }

    // MARK: Predicates

    /// Every point of `other` lies in this geometry (PostGIS ST_Covers: boundary points count).
    public func covers(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSCovers_r(context.handle, handle, other.handle), "covers")
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSIntersects_r(context.handle, handle, other.handle), "intersects")
    }

    /// Every point of `other` lies in this geometry and their interiors meet (ST_Contains).
    public func contains(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSContains_r(context.handle, handle, other.handle), "contains")
    }

    // MARK: Operations

    public func intersection(_ other: Geometry) throws -> Geometry {
        Geometry(owning: try context.check(GEOSIntersection_r(context.handle, handle, other.handle), "intersection"), in: context)
    }

    /// A valid geometry covering the same points (GEOS's structure-preserving repair).
    public func makeValid() throws -> Geometry {
        Geometry(owning: try context.check(GEOSMakeValid_r(context.handle, handle), "makeValid"), in: context)
    }

    /// The same geometry with vertices added so no segment is longer than `maxSegmentLength`.
    public func densified(maxSegmentLength: Double) throws -> Geometry {
        guard maxSegmentLength > 0, maxSegmentLength.isFinite else {
            throw GeoError.invalidGeometry("densify needs a positive segment length, got \(maxSegmentLength)")
        }
        return Geometry(owning: try context.check(GEOSDensify_r(context.handle, handle, maxSegmentLength), "densify"), in: context)
    }

    /// A simpler geometry within `tolerance` (in the geometry's units) of this one, for display:
    /// GEOS's topology-preserving Douglas-Peucker keeps rings from collapsing and lines and rings
    /// from crossing themselves or each other, which plain Douglas-Peucker does not. (It does
    /// not check that a hole stays inside its shell.)
    public func simplifiedPreservingTopology(tolerance: Double) throws -> Geometry {
        guard tolerance >= 0, tolerance.isFinite else {
            throw GeoError.invalidGeometry("simplify needs a finite tolerance of at least 0, got \(tolerance)")
        }
        return Geometry(owning: try context.check(GEOSTopologyPreserveSimplify_r(context.handle, handle, tolerance),
                                                  "topology-preserving simplify"), in: context)
    }

    /// A point guaranteed to lie inside an area (or on a line): where a label can go, even in a
    /// concave shape whose centroid lies outside it.
    public func pointOnSurface() throws -> Geometry {
        Geometry(owning: try context.check(GEOSPointOnSurface_r(context.handle, handle), "point on surface"), in: context)
    }

    /// Distance along this (multi)line to the point on it nearest `point` (linear referencing).
    public func project(_ point: Geometry) throws -> Double {
        let value = GEOSProject_r(context.handle, handle, point.handle)
        guard value >= 0 else { throw context.failure("project") }
        return value
    }

    /// The point at `distance` along this line; clamped to the ends.
    public func interpolate(atDistance distance: Double) throws -> Geometry {
        Geometry(owning: try context.check(GEOSInterpolate_r(context.handle, handle, distance), "interpolate"), in: context)
    }

    /// A prepared copy for repeated predicates against this geometry.
    public func prepared() throws -> PreparedGeometry {
        try PreparedGeometry(self)
    }
}

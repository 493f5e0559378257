/// Well-known binary (OGC simple features, 2D) for `Shape` values, without a GEOS context: how
/// shapes travel to and from databases such as PostGIS (`ST_GeomFromWKB`, `ST_AsBinary`).
/// Every coordinate keeps its exact bits.
extension Shape {
    /// Little-endian (NDR) WKB.
    public var wkb: [UInt8] {
        var writer = WKBWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Reads 2D WKB in either byte order. Z, M, ZM and PostGIS's extended (EWKB) forms are
    /// refused, as is anything after the geometry.
    public init(wkb bytes: [UInt8]) throws {
        var reader = WKBReader(bytes: bytes)
        let shape = try reader.shape()
        guard reader.offset == bytes.count else {
            throw GeoError.invalidGeometry("WKB has \(bytes.count - reader.offset) bytes after the geometry")
        }
        self = shape
    }
}

private enum WKBType: UInt32 {
    case point = 1, lineString, polygon, multiPoint, multiLineString, multiPolygon, geometryCollection
}

private struct WKBWriter {
    var bytes: [UInt8] = []

    mutating func word(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func point(_ c: Coordinate) {
        withUnsafeBytes(of: c.x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: c.y.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func points(_ cs: [Coordinate]) {
        word(UInt32(cs.count))
        cs.forEach { point($0) }
    }

    mutating func header(_ type: WKBType) {
        bytes.append(1)
        word(type.rawValue)
    }

    mutating func write(_ shape: Shape) {
        switch shape {
        case .point(let c):
            header(.point)
            point(c)
        case .lineString(let cs):
            header(.lineString)
            points(cs)
        case .polygon(let rings):
            header(.polygon)
            word(UInt32(rings.count))
            rings.forEach { points($0) }
        case .multiPoint(let cs):
            header(.multiPoint)
            word(UInt32(cs.count))
            cs.forEach { write(.point($0)) }
        case .multiLineString(let lines):
            header(.multiLineString)
            word(UInt32(lines.count))
            lines.forEach { write(.lineString($0)) }
        case .multiPolygon(let polygons):
            header(.multiPolygon)
            word(UInt32(polygons.count))
            polygons.forEach { write(.polygon($0)) }
        case .geometryCollection(let shapes):
            header(.geometryCollection)
            word(UInt32(shapes.count))
            shapes.forEach { write($0) }
        }
    }
}

private struct WKBReader {
    let bytes: [UInt8]
    var offset = 0
    var littleEndian = true

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func take(_ count: Int) throws -> UInt64 {
        guard offset + count <= bytes.count else {
            throw GeoError.invalidGeometry("WKB ends at byte \(bytes.count) inside a value at byte \(offset)")
        }
        var value: UInt64 = 0
        for index in 0..<count {
            let byte = UInt64(bytes[offset + (littleEndian ? index : count - 1 - index)])
            value |= byte << (8 * UInt64(index))
        }
        offset += count
        return value
    }

    mutating func word() throws -> UInt32 { UInt32(try take(4)) }

    mutating func count(_ what: String) throws -> Int {
        let value = Int(try word())
        // Each element takes at least 4 bytes, so a count beyond what is left is corrupt.
        guard value <= (bytes.count - offset) / 4 else {
            throw GeoError.invalidGeometry("WKB \(what) count \(value) at byte \(offset - 4) exceeds the data")
        }
        return value
    }

    mutating func point() throws -> Coordinate {
        Coordinate(Double(bitPattern: try take(8)), Double(bitPattern: try take(8)))
    }

    mutating func points() throws -> [Coordinate] {
        let n = try count("point")
        var cs: [Coordinate] = []
        cs.reserveCapacity(n)
        for _ in 0..<n { cs.append(try point()) }
        return cs
    }

    mutating func shape(expecting expected: WKBType? = nil) throws -> Shape {
        let start = offset
        guard offset < bytes.count else { throw GeoError.invalidGeometry("WKB ends before a geometry at byte \(offset)") }
        switch bytes[offset] {
        case 0: littleEndian = false
        case 1: littleEndian = true
        default: throw GeoError.invalidGeometry("WKB byte order \(bytes[offset]) at byte \(offset) is neither 0 nor 1")
        }
        offset += 1
        let code = try word()
        guard let type = WKBType(rawValue: code) else {
            throw GeoError.invalidGeometry("WKB geometry type \(code) at byte \(start) is not a 2D simple-features type")
        }
        if let expected, type != expected {
            throw GeoError.invalidGeometry("WKB has a \(type) at byte \(start) inside a collection of \(expected)")
        }
        switch type {
        case .point: return .point(try point())
        case .lineString: return .lineString(try points())
        case .polygon: return .polygon(try (0..<count("ring")).map { _ in try points() })
        case .multiPoint:
            return .multiPoint(try (0..<count("point")).map { _ in
                guard case .point(let c) = try shape(expecting: .point) else { throw GeoError.invalidGeometry("WKB point expected") }
                return c
            })
        case .multiLineString:
            return .multiLineString(try (0..<count("line")).map { _ in
                guard case .lineString(let cs) = try shape(expecting: .lineString) else { throw GeoError.invalidGeometry("WKB line expected") }
                return cs
            })
        case .multiPolygon:
            return .multiPolygon(try (0..<count("polygon")).map { _ in
                guard case .polygon(let rings) = try shape(expecting: .polygon) else { throw GeoError.invalidGeometry("WKB polygon expected") }
                return rings
            })
        case .geometryCollection:
            return .geometryCollection(try (0..<count("geometry")).map { _ in try shape() })
        }
    }
}

import Geo

/// Lines in binary: a 32-bit part count, then per part a 32-bit position count and the positions
/// as pairs of 64-bit floats, all little-endian. Only (multi)line strings are encoded.
enum LineCodec {
    static func encode(_ shape: Shape) -> [UInt8]? {
        guard let parts = shape.lineParts else { return nil }
        var out: [UInt8] = []
        func put(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        put(shape.typeName == "LineString" ? 0 : 1)
        put(UInt32(parts.count))
        for part in parts {
            put(UInt32(part.count))
            for c in part {
                withUnsafeBytes(of: c.x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                withUnsafeBytes(of: c.y.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> Shape? {
        var offset = 0
        func word() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        func double() -> Double? {
            guard offset + 8 <= bytes.count else { return nil }
            defer { offset += 8 }
            return Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) })
        }
        guard let kind = word(), let count = word() else { return nil }
        var parts: [[Coordinate]] = []
        for _ in 0..<count {
            guard let positions = word() else { return nil }
            var part: [Coordinate] = []
            part.reserveCapacity(Int(positions))
            for _ in 0..<positions {
                guard let x = double(), let y = double() else { return nil }
                part.append(Coordinate(x, y))
            }
            parts.append(part)
        }
        guard offset == bytes.count else { return nil }
        if kind == 0, parts.count == 1 { return .lineString(parts[0]) }
        return kind == 1 ? .multiLineString(parts) : nil
    }
}

import Foundation

/// What the incremental path needs of a route's last full scoring: for each geodesic piece (at
/// most 1 km long) the highest sampled hazard, where along the piece it is, the zone multiplier
/// there, and the multiplier of the whole piece (NaN where a zone boundary crosses it); and the
/// geodesic length of each of the route's segments, so untouched segments cost nothing. The
/// incremental path raises the hazards by new incidents instead of evaluating every earlier one.
public struct HazardProfile: Sendable, Equatable {
    public var hazard: [Float] = []
    public var along: [Float] = []
    public var multiplier: [Float] = []
    public var uniformMultiplier: [Float] = []
    public var segmentKm: [Double] = []

    public init() {}

    public var count: Int { hazard.count }

    mutating func append(hazard h: Double, along a: Double, multiplier m: Double, uniformMultiplier u: Double) {
        hazard.append(Float(h))
        along.append(Float(a))
        multiplier.append(Float(m))
        uniformMultiplier.append(Float(u))
    }

    /// Two 32-bit counts (pieces, segments), then each array in turn, in the machine's byte order
    /// (little-endian on every platform Swift runs on here), copied in bulk.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + count * 16 + segmentKm.count * 8)
        withUnsafeBytes(of: UInt32(count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(segmentKm.count).littleEndian) { out.append(contentsOf: $0) }
        for array in [hazard, along, multiplier, uniformMultiplier] { array.withUnsafeBytes { out.append(contentsOf: $0) } }
        segmentKm.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        let pieces = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        let segments = Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
        guard bytes.count == 8 + pieces * 16 + segments * 8 else { return nil }
        func floats(_ index: Int) -> [Float] {
            let start = 8 + index * pieces * 4
            return [Float](unsafeUninitializedCapacity: pieces) { buffer, initialized in
                bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<start + pieces * 4]))
                }
                initialized = pieces
            }
        }
        hazard = floats(0)
        along = floats(1)
        multiplier = floats(2)
        uniformMultiplier = floats(3)
        let start = 8 + pieces * 16
        segmentKm = [Double](unsafeUninitializedCapacity: segments) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<start + segments * 8]))
            }
            initialized = segments
        }
    }
}

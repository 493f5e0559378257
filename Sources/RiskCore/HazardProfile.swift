import Foundation

/// For each geodesic piece of a route (at most 1 km long), the highest sampled hazard, where
/// along the piece it is, the zone multiplier there, and the multiplier of the whole piece (NaN
/// where a zone boundary crosses it). The incremental path raises it by new incidents instead
/// of evaluating every earlier incident again.
public struct HazardProfile: Sendable, Equatable {
    public var hazard: [Float] = []
    public var along: [Float] = []
    public var multiplier: [Float] = []
    public var uniformMultiplier: [Float] = []

    public init() {}

    public var count: Int { hazard.count }

    mutating func append(hazard h: Double, along a: Double, multiplier m: Double, uniformMultiplier u: Double) {
        hazard.append(Float(h))
        along.append(Float(a))
        multiplier.append(Float(m))
        uniformMultiplier.append(Float(u))
    }

    /// Little-endian 32-bit floats, four per piece.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * 16)
        for index in 0..<count {
            for value in [hazard[index], along[index], multiplier[index], uniformMultiplier[index]] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count % 16 == 0 else { return nil }
        func float(_ offset: Int) -> Float {
            Float(bitPattern: UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
                | UInt32(bytes[offset + 3]) << 24)
        }
        for offset in stride(from: 0, to: bytes.count, by: 16) {
            append(hazard: Double(float(offset)), along: Double(float(offset + 4)), multiplier: Double(float(offset + 8)),
                   uniformMultiplier: Double(float(offset + 12)))
        }
    }
}

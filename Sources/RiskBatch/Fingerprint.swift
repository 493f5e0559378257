import Geo
import RiskCore
import RiskIO

/// Stable fingerprints of a run's inputs: the batch compares them with the previous run's to
/// know which scores it may build on. Stores keep them, so they must never change.
enum Fingerprint {
    /// Of the model's JSON.
    static func of(_ model: Model) -> String {
        of(ModelReader.json(model).serialized())
    }

    /// Of every zone's fields and geometry, in the order given.
    static func of(_ zones: [Zone]) -> String {
        of(zones.map { "\($0.id)|\($0.name)|\($0.kind)|\($0.base)|\($0.multiplier)|\(of($0.shape))" }.joined(separator: "\n"))
    }

    static func of(_ text: String) -> String {
        var hash = FNV1a()
        for byte in text.utf8 { hash.add(byte) }
        return hash.hex
    }

    /// Of a geometry: its type and every coordinate's bits.
    static func of(_ shape: Shape) -> String {
        var hash = FNV1a()
        for byte in shape.typeName.utf8 { hash.add(byte) }
        if let parts = shape.lineParts {
            for part in parts {
                hash.add(UInt64(part.count))
                for c in part {
                    hash.add(c.x.bitPattern)
                    hash.add(c.y.bitPattern)
                }
            }
        } else {
            for c in shape.coordinates {
                hash.add(c.x.bitPattern)
                hash.add(c.y.bitPattern)
            }
        }
        return hash.hex
    }
}

/// 64-bit FNV-1a, written as a hex string.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x100_0000_01b3
    }
    mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    var hex: String { String(value, radix: 16) }
}

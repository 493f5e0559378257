/// 64-bit FNV-1a, written as a hex string: the stable, dependency-free hash of the batch's
/// fingerprints and of the model file named in a score's basis.
public struct FNV1a: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x100_0000_01b3
    }

    public mutating func add(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }

    public var hex: String { String(value, radix: 16) }

    /// The hash of a text's UTF-8 bytes.
    public static func hex(of text: String) -> String {
        var hash = FNV1a()
        for byte in text.utf8 { hash.add(byte) }
        return hash.hex
    }
}

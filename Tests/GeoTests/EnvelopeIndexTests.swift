import Testing
@testable import Geo

@Suite struct EnvelopeIndexTests {
    @Test func queriesMatchABruteForceScan() {
        var random = SplitMix64(seed: 7)
        let boxes: [Envelope] = (0..<5_000).map { _ in
            let x = random.uniform(0, 1000), y = random.uniform(0, 1000)
            return Envelope(minX: x, minY: y, maxX: x + random.uniform(0, 5), maxY: y + random.uniform(0, 5))
        }
        let index = EnvelopeIndex(boxes.enumerated().map { ($1, $0) })
        #expect(index.count == boxes.count)
        for _ in 0..<200 {
            let x = random.uniform(-50, 1000), y = random.uniform(-50, 1000)
            let window = Envelope(minX: x, minY: y, maxX: x + random.uniform(0, 60), maxY: y + random.uniform(0, 60))
            let expected = Set(boxes.indices.filter { boxes[$0].intersects(window) })
            #expect(Set(index.query(window)) == expected)
        }
    }

    @Test func emptyAndSingleIndexes() {
        let empty = EnvelopeIndex<Int>([])
        #expect(empty.query(Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)).isEmpty)
        let one = EnvelopeIndex([(Envelope(minX: 0, minY: 0, maxX: 0, maxY: 0), "a")])
        #expect(one.query(Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)) == ["a"])
        #expect(one.query(Envelope(minX: 0.5, minY: 0, maxX: 1, maxY: 1)).isEmpty)
    }
}

/// A small seeded generator so that random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }
}

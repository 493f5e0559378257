import Foundation
import Geo
import RiskCore

/// A small, fast, seeded generator (SplitMix64) so synthetic data is reproducible everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) / Double(1 << 53)
    }
    /// A standard normal draw (Box-Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(0, 1), .leastNonzeroMagnitude)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * uniform(0, 1))
    }
}

/// Synthetic incidents and routes over Pakistan for tests and benchmarks: incidents clustered
/// around real cities, routes cut from the main road corridors (drawn through the cities they
/// join). Same seed, same data.
public struct SyntheticPakistan: Sendable {
    public struct City: Sendable {
        public var name: String
        public var location: Coordinate
        /// Relative share of incidents.
        public var weight: Double
    }

    public static let cities: [City] = [
        City(name: "Karachi", location: Coordinate(67.01, 24.86), weight: 10),
        City(name: "Hyderabad", location: Coordinate(68.37, 25.40), weight: 2),
        City(name: "Sukkur", location: Coordinate(68.86, 27.70), weight: 2),
        City(name: "Multan", location: Coordinate(71.47, 30.20), weight: 2),
        City(name: "Lahore", location: Coordinate(74.34, 31.55), weight: 5),
        City(name: "Islamabad", location: Coordinate(73.05, 33.69), weight: 3),
        City(name: "Rawalpindi", location: Coordinate(73.07, 33.60), weight: 3),
        City(name: "Peshawar", location: Coordinate(71.58, 34.01), weight: 9),
        City(name: "Quetta", location: Coordinate(67.00, 30.18), weight: 9),
        City(name: "Gwadar", location: Coordinate(62.33, 25.13), weight: 4),
        City(name: "Turbat", location: Coordinate(63.05, 26.00), weight: 3),
        City(name: "Khuzdar", location: Coordinate(66.61, 27.81), weight: 3),
        City(name: "Dera Ismail Khan", location: Coordinate(70.90, 31.83), weight: 5),
        City(name: "Bannu", location: Coordinate(70.60, 32.99), weight: 5),
        City(name: "Dasu", location: Coordinate(73.29, 35.29), weight: 2),
        City(name: "Gilgit", location: Coordinate(74.31, 35.92), weight: 1),
        City(name: "Besham", location: Coordinate(72.88, 34.93), weight: 2),
        City(name: "Mastung", location: Coordinate(66.85, 29.80), weight: 3),
        City(name: "Faisalabad", location: Coordinate(73.08, 31.42), weight: 1),
        City(name: "Parachinar", location: Coordinate(70.09, 33.90), weight: 3),
    ]

    /// Main corridors as sequences of cities (by index in `cities`), following N-5, N-25, N-10,
    /// M-8, the KKH and the Indus highway.
    public static let corridors: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 7],     // Karachi - Peshawar (N-5 / M-2)
        [0, 9],                    // Karachi - Gwadar (coastal N-10)
        [0, 11, 17, 8],            // Karachi - Quetta (N-25)
        [9, 10, 11],               // Gwadar - Turbat - Khuzdar (M-8)
        [5, 16, 14, 15],           // Islamabad - Gilgit (KKH)
        [2, 12, 13, 7],            // Sukkur - Peshawar (Indus highway N-55)
        [8, 2],                    // Quetta - Sukkur (N-65)
        [4, 18, 3],                // Lahore - Faisalabad - Multan
        [7, 19],                   // Peshawar - Parachinar
    ]

    public var seed: UInt64

    public init(seed: UInt64 = 42) {
        self.seed = seed
    }

    /// `count` incidents clustered around the cities (normal spread of `spreadKm`), dated over
    /// the `years` before `end`.
    public func incidents(count: Int, end: Date, years: Double = 8, spreadKm: Double = 15, idPrefix: String = "syn") -> [Incident] {
        var random = SeededRandom(seed: seed)
        let totalWeight = Self.cities.reduce(0) { $0 + $1.weight }
        let categories = ["suicide bombing", "bombing", "armed assault", "targeted killing", "rocket attack", "kidnapping"]
        let targets = ["security forces", "police", "civilians", "government", "religious", "foreign nationals", "infrastructure"]
        return (0..<count).map { n in
            var pick = random.uniform(0, totalWeight)
            let city = Self.cities.first { pick -= $0.weight; return pick <= 0 } ?? Self.cities[0]
            let offset = Coordinate(spreadKm * random.normal() / (111.32 * cos(city.location.y * .pi / 180)),
                                    spreadKm * random.normal() / 110.57)
            let killed = Double(Int(-log(max(random.uniform(0, 1), 1e-9)) * 6))
            return Incident(
                id: "\(idPrefix)-\(n + 1)",
                location: Coordinate(city.location.x + offset.x, city.location.y + offset.y),
                time: end.addingTimeInterval(-random.uniform(0, years * 365.25 * 86_400)),
                killed: killed, injured: (killed * random.uniform(0.5, 3)).rounded(),
                category: categories[Int(random.next() % UInt64(categories.count))],
                target: targets[Int(random.next() % UInt64(targets.count))])
        }
    }

    /// `count` routes cut from the corridors, each `minKm...maxKm` long (or the whole corridor
    /// when shorter), with vertices every ~5 km jittered up to `jitterKm` off the corridor.
    public func routes(count: Int, minKm: Double = 100, maxKm: Double = 800, jitterKm: Double = 1,
                       departing: ClosedRange<Date>? = nil, idPrefix: String = "route") -> [Route] {
        var random = SeededRandom(seed: seed &+ 1)
        let geodesic = Geodesic.wgs84
        let lines = Self.corridors.map { stops in
            (try? geodesic.densify(stops.map { Self.cities[$0].location }, maxSegmentKm: 5)) ?? []
        }
        return (0..<count).map { n in
            let line = lines[Int(random.next() % UInt64(lines.count))]
            let reverse = random.next() % 2 == 0
            let path = reverse ? Array(line.reversed()) : line
            let wanted = random.uniform(minKm, maxKm)
            var cumulative = [0.0]
            for (a, b) in zip(path, path.dropFirst()) { cumulative.append(cumulative.last! + ((try? geodesic.distanceKm(a, b)) ?? 0)) }
            let startKm = random.uniform(0, max(0, cumulative.last! - wanted))
            let first = min(cumulative.firstIndex { $0 >= startKm } ?? 0, path.count - 2)
            let last = max(cumulative.firstIndex { $0 >= startKm + wanted } ?? path.count - 1, first + 1)
            var coordinates = Array(path[first...last])
            coordinates = coordinates.enumerated().map { index, c in
                guard index > 0, index < coordinates.count - 1 else { return c }
                return Coordinate(c.x + jitterKm * random.uniform(-1, 1) / 100, c.y + jitterKm * random.uniform(-1, 1) / 110)
            }
            let departsAt = departing.map { range in
                Date(timeIntervalSince1970: random.uniform(range.lowerBound.timeIntervalSince1970, range.upperBound.timeIntervalSince1970).rounded())
            }
            return Route(id: "\(idPrefix)-\(n + 1)", name: nil, departsAt: departsAt, shape: .lineString(coordinates))
        }
    }
}

/// Routes between places: the geodesic between every pair of places `minKm...maxKm` apart, with
/// a vertex every `stepKm`, named `from--to` in the places' order. Real roads bend; straight
/// lines between towns are the stand-in where no road geometry is at hand (see
/// docs/validation.md).
public func placePairRoutes(_ places: [Place], minKm: Double, maxKm: Double, stepKm: Double = 5) throws -> [Route] {
    let geodesic = Geodesic.wgs84
    var routes: [Route] = []
    for (i, a) in places.enumerated() {
        for b in places[(i + 1)...] {
            let km = try geodesic.distanceKm(a.location, b.location)
            guard km >= minKm, km <= maxKm else { continue }
            let line = try geodesic.densify([a.location, b.location], maxSegmentKm: stepKm)
            routes.append(Route(id: "\(a.name)--\(b.name)", name: "\(a.name) to \(b.name)", shape: .lineString(line)))
        }
    }
    return routes
}

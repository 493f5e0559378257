import Foundation
import Geo

/// A stretch of a segment, as fractions `t0...t1` of it, with constant zone terms.
struct Stretch {
    var t0: Double
    var t1: Double
    var multiplier: Double
    var base: Double
    var zones: [Int]
}

/// Cuts route segments where zone boundaries cross them, with GEOS. Owns a GEOS context and the
/// zones prepared in it, so it belongs to one task, like the scorers that use it.
final class ZoneCutter {
    private let data: ScoringData
    private let context: GeometryContext
    private let preparedZones: [PreparedGeometry]
    private let geodesic = Geodesic.wgs84

    init(_ data: ScoringData) throws {
        self.data = data
        let context = try GeometryContext()
        self.context = context
        preparedZones = try data.zones.map { try Geometry($0.shape, in: context).prepared() }
    }

    /// Splits the segment `a`-`b` (longitude/latitude) where zone boundaries cross it, once per
    /// segment: GEOS intersects the segment with each candidate zone and the pieces' ends give
    /// the breakpoints as fractions of the segment.
    func stretches(_ a: Coordinate, _ b: Coordinate) throws -> [Stretch] {
        let window = Envelope(covering: [a, b])!
        var inside: [(zone: Int, t0: Double, t1: Double)] = []
        var candidates: [Int] = data.zoneIndex.query(window)
        if !candidates.isEmpty {
            candidates.sort()
            let piece = try Geometry(.lineString([a, b]), in: context)
            let length = geodesic.unchecked(from: a, to: b).distanceKm
            // A breakpoint's place is its geodesic distance from the start: fractions of the
            // longitude/latitude line are not proportional to distance on long segments.
            func fraction(_ c: Coordinate) -> Double {
                length > 0 ? (geodesic.unchecked(from: a, to: c).distanceKm / length).clamped(to: 0...1) : 0
            }
            for zone in candidates {
                let prepared = preparedZones[zone]
                if try prepared.covers(piece) {
                    inside.append((zone, 0, 1))
                } else if try prepared.intersects(piece) {
                    for line in lines(of: try piece.intersection(prepared.base).shape()) where line.count >= 2 {
                        let ts = [fraction(line.first!), fraction(line.last!)]
                        let (t0, t1) = (ts.min()!, ts.max()!)
                        if t1 > t0 { inside.append((zone, t0, t1)) }
                    }
                }
            }
        }
        var cuts = Set([0.0, 1.0])
        for interval in inside { cuts.insert(interval.t0); cuts.insert(interval.t1) }
        let sorted = cuts.sorted()
        return zip(sorted, sorted.dropFirst()).map { t0, t1 in
            let middle = (t0 + t1) / 2
            let covering = inside.filter { $0.t0 <= middle && middle <= $0.t1 }.map(\.zone)
            let zones = Array(Set(covering)).sorted()
            return Stretch(t0: t0, t1: t1,
                           multiplier: zones.reduce(1) { $0 * data.zones[$1].multiplier },
                           base: zones.map { data.zones[$0].base }.max() ?? 0,
                           zones: zones)
        }
    }

    private func lines(of shape: Shape) -> [[Coordinate]] {
        switch shape {
        case .lineString(let line): [line]
        case .multiLineString(let lines): lines
        case .geometryCollection(let members): members.flatMap(lines)
        default: []
        }
    }

}

import Foundation
import Geo

public enum ScoringError: Error, Equatable, CustomStringConvertible {
    case notALine(routeID: String, type: String)
    case geometry(routeID: String, GeoError)

    public var description: String {
        switch self {
        case .notALine(let id, let type):
            "route \(id): geometry must be a LineString or MultiLineString, not \(type)"
        case .geometry(let id, let error):
            "route \(id): \(error)"
        }
    }
}

/// Scores routes exactly as `scoring-model.md` defines, for one task: it owns a GEOS context and
/// a PROJ transformer, so make one `Scorer` per task over a shared `ScoringData`.
///
/// Method. Each part of a route is split into geodesic pieces of at most `segmentKm`; each piece
/// is projected into the working CRS and its local scale `k` (projected over geodesic length)
/// corrects every distance measured along it, which leaves errors far below the spec's 0.5 %.
/// Zone boundaries cut each piece where GEOS intersects it with the zone, so `M` and `B` are
/// constant on every sub-piece; the Gaussian kernel along a straight sub-piece has the closed
/// form `sigma sqrt(pi/2) [erf]`, truncated at the cutoff, so exposure needs no sampling. The
/// peak hazard is found by sampling every `peakSampleKm` and refining the best sample.
public final class Scorer {
    public let data: ScoringData
    public let topIncidentCount: Int
    /// Longest geodesic piece a route is split into.
    public let segmentKm: Double
    /// Spacing of the samples that look for the peak hazard.
    public let peakSampleKm: Double

    private let context: GeometryContext
    private let transformer: Transformer
    private let preparedZones: [PreparedGeometry]
    private let geodesic = Geodesic.wgs84

    public init(_ data: ScoringData, topIncidents: Int = 5) throws {
        self.data = data
        topIncidentCount = topIncidents
        segmentKm = min(1, data.model.sigmaKm / 4)
        peakSampleKm = min(0.25, data.model.sigmaKm / 8)
        let context = try GeometryContext()
        self.context = context
        transformer = try data.crs.transformer()
        preparedZones = try data.zones.map { try Geometry($0.shape, in: context).prepared() }
    }

    private var model: Model { data.model }

    /// A stretch of one geodesic piece, as fractions `t0...t1` of it, with constant zone terms.
    private struct Stretch {
        var t0: Double
        var t1: Double
        var multiplier: Double
        var base: Double
        var zones: [Int]
    }

    /// An incident near a piece: its amplitude `w D` and its position relative to the piece in
    /// true km (along-track from the piece's start, and across-track).
    private struct Nearby {
        var incident: Int
        var amplitude: Double
        var along: Double
        var across: Double
    }

    /// The best peak sample so far, with what is needed to refine it.
    private struct PeakSample {
        var hazard: Double
        var along: Double
        var lengthKm: Double
        var kmAtStart: Double
        var stretch: Stretch
        var nearby: [Nearby]
        var start: Coordinate
        var end: Coordinate
    }

    public func score(_ route: Route, asOf: Date) throws -> RouteResult {
        let evaluatedAt = route.departsAt ?? asOf
        guard let parts = route.shape.lineParts else {
            throw ScoringError.notALine(routeID: route.id, type: route.shape.typeName)
        }
        do {
            return try score(route, parts: parts, at: evaluatedAt)
        } catch let error as GeoError {
            throw ScoringError.geometry(routeID: route.id, error)
        }
    }

    /// What one pass along a route collects.
    private struct Walk {
        var contributions: [Int: Double] = [:]
        var closest: [Int: (km: Double, at: Double)] = [:]
        var zoneKm: [Int: Double] = [:]
        var zoneOrder: [Int] = []
        var baseExposure = 0.0
        var lengthKm = 0.0
        var peak: PeakSample?
    }

    /// One pass along the route's parts at `time` (seconds since 1970). With `focus`, only the
    /// pieces near those incidents are examined and only their contributions are collected
    /// (base exposure and zone lengths are then left empty): the incremental path.
    private func walk(_ parts: [[Coordinate]], at time: Double, focus: Set<Int>?) throws -> Walk {
        var walk = Walk()
        var amplitudes: [Int: Double?] = [:]
        for part in parts {
            let dense = try geodesic.densify(part, maxSegmentKm: segmentKm)
            let projected = try transformer.transformed(dense)
            for j in 0..<max(0, dense.count - 1) {
                let length = try geodesic.distanceKm(dense[j], dense[j + 1])
                guard length > 0 else { continue }
                let kmAtStart = walk.lengthKm
                walk.lengthKm += length
                let (a, b) = (projected[j], projected[j + 1])
                let planar = hypot(b.x - a.x, b.y - a.y)
                let scale = planar > 0 ? planar / length : 1
                let nearby = nearbyIncidents(a, b, planar: planar, scale: scale, time: time, amplitudes: &amplitudes)
                if let focus, !nearby.contains(where: { focus.contains($0.incident) }) { continue }
                let stretches = try zoneStretches(dense[j], dense[j + 1])

                if focus == nil {
                    for stretch in stretches {
                        let km = (stretch.t1 - stretch.t0) * length
                        walk.baseExposure += stretch.multiplier * stretch.base * km
                        for zone in stretch.zones {
                            if walk.zoneKm[zone] == nil { walk.zoneOrder.append(zone) }
                            walk.zoneKm[zone, default: 0] += km
                        }
                    }
                }

                for near in nearby where focus?.contains(near.incident) ?? true {
                    let integral = stretches.reduce(0) { sum, s in
                        sum + s.multiplier * gaussianIntegral(near, from: s.t0 * length, to: s.t1 * length)
                    }
                    walk.contributions[near.incident, default: 0] += near.amplitude * integral
                    let closestAlong = min(max(near.along, 0), length)
                    let distance = hypot(near.across, near.along - closestAlong)
                    if distance < walk.closest[near.incident]?.km ?? .infinity {
                        walk.closest[near.incident] = (distance, kmAtStart + closestAlong)
                    }
                }

                for stretch in stretches {
                    let from = stretch.t0 * length, to = stretch.t1 * length
                    let samples = max(1, Int(((to - from) / peakSampleKm).rounded(.up)))
                    for step in 0...samples {
                        let along = from + (to - from) * Double(step) / Double(samples)
                        let h = hazard(at: along, stretch, nearby)
                        if h > walk.peak?.hazard ?? -1 {
                            walk.peak = PeakSample(hazard: h, along: along, lengthKm: length, kmAtStart: kmAtStart,
                                                   stretch: stretch, nearby: nearby, start: dense[j], end: dense[j + 1])
                        }
                    }
                }
            }
        }
        return walk
    }

    private func contributions(_ walk: Walk) -> [IncidentContribution] {
        walk.contributions.filter { $0.value > 0 }.map { index, value in
            IncidentContribution(id: data.incidents[index].id, exposure: value, share: 0,
                                 closestKm: walk.closest[index]?.km ?? .nan, atKm: walk.closest[index]?.at ?? .nan)
        }
    }

    /// The largest contributions, with their shares of `total`; ties in id order.
    private func leading(_ all: [IncidentContribution], total: Double) -> [IncidentContribution] {
        all.sorted { $0.exposure != $1.exposure ? $0.exposure > $1.exposure : $0.id < $1.id }
            .prefix(topIncidentCount)
            .map { var c = $0; c.share = total > 0 ? c.exposure / total : 0; return c }
    }

    private func result(_ route: Route, at evaluatedAt: Date, lengthKm: Double, baseExposure: Double, incidentExposure: Double,
                        peak: (hazard: Double, atKm: Double, location: Coordinate), zones: [ZoneLength],
                        top: [IncidentContribution]) -> RouteResult {
        let exposure = baseExposure + incidentExposure
        let score = model.score(exposure: exposure)
        return RouteResult(
            id: route.id, name: route.name, evaluatedAt: evaluatedAt, lengthKm: lengthKm,
            exposure: exposure, baseExposure: baseExposure, incidentExposure: incidentExposure,
            meanHazard: lengthKm > 0 ? exposure / lengthKm : 0,
            peakHazard: peak.hazard, peakAtKm: peak.atKm, peakLocation: peak.location,
            score: score, band: model.band(score: score), zones: zones, topIncidents: top)
    }

    private func score(_ route: Route, parts: [[Coordinate]], at evaluatedAt: Date) throws -> RouteResult {
        let walk = try walk(parts, at: evaluatedAt.timeIntervalSince1970, focus: nil)
        let incidentExposure = walk.contributions.values.reduce(0, +)
        let start = parts.first?.first ?? Coordinate(0, 0)
        return result(route, at: evaluatedAt, lengthKm: walk.lengthKm, baseExposure: walk.baseExposure,
                      incidentExposure: incidentExposure, peak: walk.peak.map(refine) ?? (0, 0, start),
                      zones: walk.zoneOrder.compactMap { index in
                          guard let km = walk.zoneKm[index], km > 0 else { return nil }
                          return ZoneLength(id: data.zones[index].id, name: data.zones[index].name, km: km)
                      },
                      top: leading(contributions(walk), total: incidentExposure))
    }

    /// Re-scores a route that `previous` scored at the same evaluation time with the same
    /// zones and model, after the incidents `added` (indexes into `data.incidents`) appeared.
    /// Decay depends only on each incident's age at that time, so every earlier incident's
    /// contribution is unchanged: only the pieces near the new incidents are walked, their
    /// contributions added, the leading incidents merged and the peak raised where they raise it.
    public func update(_ route: Route, previous: RouteResult, added: Set<Int>) throws -> RouteResult {
        guard let parts = route.shape.lineParts else {
            throw ScoringError.notALine(routeID: route.id, type: route.shape.typeName)
        }
        let walk: Walk
        do {
            walk = try self.walk(parts, at: previous.evaluatedAt.timeIntervalSince1970, focus: added)
        } catch let error as GeoError {
            throw ScoringError.geometry(routeID: route.id, error)
        }
        let incidentExposure = previous.incidentExposure + walk.contributions.values.reduce(0, +)
        var peak = (hazard: previous.peakHazard, atKm: previous.peakAtKm, location: previous.peakLocation)
        if let refined = walk.peak.map(refine), refined.hazard > peak.hazard { peak = refined }
        let newIDs = Set(walk.contributions.keys.map { data.incidents[$0].id })
        let earlier = previous.topIncidents.filter { !newIDs.contains($0.id) }
        return result(route, at: previous.evaluatedAt, lengthKm: previous.lengthKm, baseExposure: previous.baseExposure,
                      incidentExposure: incidentExposure, peak: peak, zones: previous.zones,
                      top: leading(earlier + contributions(walk), total: incidentExposure))
    }

    /// Splits the piece `a`-`b` (longitude/latitude) where zone boundaries cross it.
    private func zoneStretches(_ a: Coordinate, _ b: Coordinate) throws -> [Stretch] {
        let window = Envelope(covering: [a, b])!
        var inside: [(zone: Int, t0: Double, t1: Double)] = []
        var candidates: [Int] = data.zoneIndex.query(window)
        if !candidates.isEmpty {
            candidates.sort()
            let piece = try Geometry(.lineString([a, b]), in: context)
            let dx = b.x - a.x, dy = b.y - a.y
            let squared = dx * dx + dy * dy
            for zone in candidates {
                let prepared = preparedZones[zone]
                if try prepared.covers(piece) {
                    inside.append((zone, 0, 1))
                } else if try prepared.intersects(piece) {
                    for line in lines(of: try piece.intersection(prepared.base).shape()) where line.count >= 2 {
                        let ts = line.map { ((($0.x - a.x) * dx + ($0.y - a.y) * dy) / squared).clamped(to: 0...1) }
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

    /// Incidents within the cutoff of the projected piece `a`-`b` that count at `time`.
    private func nearbyIncidents(_ a: Coordinate, _ b: Coordinate, planar: Double, scale: Double, time: Double,
                                 amplitudes: inout [Int: Double?]) -> [Nearby] {
        let reach = model.cutoffKm * scale * 1.001
        let window = Envelope(covering: [a, b])!.expanded(by: reach)
        let (ux, uy) = planar > 0 ? ((b.x - a.x) / planar, (b.y - a.y) / planar) : (1.0, 0.0)
        var found: [Nearby] = []
        data.incidentIndex.query(window) { index in
            let amplitude: Double?
            if let cached = amplitudes[index] {
                amplitude = cached
            } else {
                amplitude = data.amplitude(index, at: time)
                amplitudes[index] = amplitude
            }
            guard let amplitude else { return }
            let p = data.indexed[index].position
            let (rx, ry) = (p.x - a.x, p.y - a.y)
            found.append(Nearby(incident: index, amplitude: amplitude,
                                along: (rx * ux + ry * uy) / scale, across: abs(rx * uy - ry * ux) / scale))
        }
        return found
    }

    /// `integral of K ds` for one incident over `from...to` km along a straight piece, exactly:
    /// the Gaussian's closed form between the bounds, truncated where the distance passes the cutoff.
    private func gaussianIntegral(_ near: Nearby, from: Double, to: Double) -> Double {
        let sigma = model.sigmaKm, cutoff = model.cutoffKm
        guard near.across <= cutoff else { return 0 }
        let halfChord = (cutoff * cutoff - near.across * near.across).squareRoot()
        let lower = max(from, near.along - halfChord) - near.along
        let upper = min(to, near.along + halfChord) - near.along
        guard upper > lower else { return 0 }
        let r = sigma * 2.0.squareRoot()
        // erfc keeps precision when both bounds lie far on the same side.
        let mass: Double
        if lower >= 0 {
            mass = erfc(lower / r) - erfc(upper / r)
        } else if upper <= 0 {
            mass = erfc(-upper / r) - erfc(-lower / r)
        } else {
            mass = erf(upper / r) - erf(lower / r)
        }
        return exp(-near.across * near.across / (2 * sigma * sigma)) * sigma * (Double.pi / 2).squareRoot() * mass
    }

    private func hazard(at along: Double, _ stretch: Stretch, _ nearby: [Nearby]) -> Double {
        let field = nearby.reduce(0) { sum, near in
            sum + near.amplitude * model.kernel(hypot(near.across, along - near.along))
        }
        return stretch.multiplier * (stretch.base + field)
    }

    /// Golden-section search for the maximum around the best sample, inside its stretch.
    private func refine(_ sample: PeakSample) -> (hazard: Double, atKm: Double, location: Coordinate) {
        var low = max(sample.stretch.t0 * sample.lengthKm, sample.along - peakSampleKm)
        var high = min(sample.stretch.t1 * sample.lengthKm, sample.along + peakSampleKm)
        var best = (hazard: sample.hazard, along: sample.along)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<40 where high - low > 1e-6 {
            let m1 = high - ratio * (high - low), m2 = low + ratio * (high - low)
            let h1 = hazard(at: m1, sample.stretch, sample.nearby), h2 = hazard(at: m2, sample.stretch, sample.nearby)
            if h1 > best.hazard { best = (h1, m1) }
            if h2 > best.hazard { best = (h2, m2) }
            if h1 < h2 { low = m1 } else { high = m2 }
        }
        let t = best.along / sample.lengthKm
        let location = Coordinate(sample.start.x + (sample.end.x - sample.start.x) * t,
                                  sample.start.y + (sample.end.y - sample.start.y) * t)
        return (best.hazard, sample.kmAtStart + best.along, location)
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

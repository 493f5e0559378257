import Foundation
import Geo

public enum ScoringError: Error, Equatable, CustomStringConvertible {
    case notALine(routeID: String, type: String)
    case geometry(routeID: String, GeoError)
    /// A stored hazard profile does not fit the route it is meant for.
    case profileMismatch(routeID: String)
    /// A fast-path grid made for a later time than the route's evaluation.
    case gridTooLate(routeID: String)
    /// A result that overflowed (to infinity or NaN): the inputs are past what doubles hold.
    case notFinite(routeID: String, field: String)

    public var description: String {
        switch self {
        case .notALine(let id, let type):
            "route \(id): geometry must be a LineString or MultiLineString, not \(type)"
        case .geometry(let id, let error):
            "route \(id): \(error)"
        case .profileMismatch(let id):
            "route \(id): the stored hazard profile does not match the route's pieces"
        case .gridTooLate(let id):
            "route \(id): evaluated before the hazard grid's reference time"
        case .notFinite(let id, let field):
            "route \(id): the \(field) is not a finite number (the inputs overflow); check the model, zones and incidents"
        }
    }
}

extension RouteResult {
    /// The result itself when every number in it is finite; a NaN or infinity would print as
    /// `null` with a band, or be refused by a store's NOT NULL, naming no input.
    func checkedFinite() throws -> RouteResult {
        let numbers: [(String, Double)] = [("exposure", exposure), ("base exposure", baseExposure),
                                           ("incident exposure", incidentExposure), ("mean hazard", meanHazard),
                                           ("peak hazard", peakHazard), ("score", score), ("length", lengthKm)]
        if let bad = numbers.first(where: { !$0.1.isFinite }) { throw ScoringError.notFinite(routeID: id, field: bad.0) }
        return self
    }
}

/// Scores routes exactly as `scoring-model.md` defines, for one task: it owns a GEOS context and
/// a PROJ transformer, so make one `Scorer` per task over a shared `ScoringData`.
///
/// Method. Each part of a route is split into geodesic pieces of at most `segmentKm`; each piece
/// is projected into the working CRS and its local scale `k` (projected over geodesic length)
/// corrects every distance measured along it, which leaves errors far below the spec's 0.5 %.
/// Zone boundaries cut each piece where GEOS intersects it with the zone, so `M` and `B` are
/// constant on every sub-piece; the kernel along a straight sub-piece has a closed form
/// (`Kernel.lineIntegral`), so exposure needs no sampling.
///
/// The peak hazard of the Gaussian's smooth field is found by sampling at least every
/// `peakSampleKm` (a quarter sigma, at most a piece) and refining, by golden-section search,
/// every local maximum of the samples within 2 % of the best: a sample a quarter sigma from a
/// Gaussian's top is within 0.8 % of it, so the true peak's neighbourhood is always among those
/// refined. The disk's field is a step function that changes only where the route enters or
/// leaves a disk, so a sweep over those places finds its peak exactly (`stepMaximum`).
public final class Scorer {
    public let data: ScoringData
    public let topIncidentCount: Int
    /// Longest geodesic piece a route is split into.
    public let segmentKm: Double
    /// Longest spacing of the samples that look for the peak hazard.
    public let peakSampleKm: Double

    private let transformer: Transformer
    private let zones: ZoneCutter
    private let geodesic = Geodesic.wgs84
    private let kernel: Kernel
    private let cutoffSquared: Double

    private var tally: IncidentTally

    public init(_ data: ScoringData, topIncidents: Int = 5) throws {
        self.data = data
        topIncidentCount = topIncidents
        kernel = data.model.kernel
        segmentKm = min(1, kernel.widthKm / 4)
        peakSampleKm = kernel.widthKm / 4
        cutoffSquared = kernel.cutoffKm * kernel.cutoffKm
        transformer = try data.crs.transformer()
        zones = try ZoneCutter(data)
        tally = IncidentTally(count: data.incidents.count)
    }

    private var model: Model { data.model }

    /// An incident near a piece: its amplitude `w D` and its position relative to the piece in
    /// true km (along-track from the piece's start, and across-track squared).
    private struct Nearby {
        var incident: Int
        var amplitude: Double
        var along: Double
        var acrossSquared: Double
    }

    /// A peak sample, with what is needed to refine it.
    private struct PeakSample {
        var hazard: Double
        var along: Double
        /// Where refinement may search, in km along the piece: the sample's stretch, within one
        /// sample spacing of it.
        var lower: Double
        var upper: Double
        var lengthKm: Double
        var kmAtStart: Double
        var stretch: Stretch
        var nearby: [Nearby]
        var start: Coordinate
        var end: Coordinate
    }

    /// Keeps the samples that may lie next to the peak: each local maximum of the samples within
    /// 2 % of the best, with the sample before it (the peak may lie on either side, and a
    /// refinement stays inside its own piece).
    private struct PeakSearch {
        var best = -Double.infinity
        var candidates: [PeakSample] = []
        private var previous: PeakSample?
        private var beforePrevious: PeakSample?

        mutating func offer(_ sample: PeakSample) {
            if let previous, previous.hazard >= beforePrevious?.hazard ?? -.infinity, previous.hazard >= sample.hazard {
                consider(previous, after: beforePrevious)
            }
            beforePrevious = previous
            previous = sample
        }

        /// Ends a run of consecutive samples (a route part).
        mutating func endRun() {
            if let previous, previous.hazard >= beforePrevious?.hazard ?? -.infinity { consider(previous, after: beforePrevious) }
            previous = nil
            beforePrevious = nil
        }

        private mutating func consider(_ sample: PeakSample, after earlier: PeakSample?) {
            best = max(best, sample.hazard)
            guard sample.hazard >= 0.98 * best else { return }
            candidates.append(sample)
            if let earlier { candidates.append(earlier) }
            if candidates.count > 64 { candidates.removeAll { $0.hazard < 0.98 * best && $0.hazard < 0.9 * best } }
        }

        /// The samples to refine: local maxima within 2 % of the best and their predecessors.
        var finalists: [PeakSample] { candidates.filter { $0.hazard >= 0.9 * best } }
    }

    public func score(_ route: Route, asOf: Date) throws -> RouteResult {
        try scoreWithProfile(route, asOf: asOf).result
    }

    /// The route's result and its hazard profile, which `update` needs later.
    public func scoreWithProfile(_ route: Route, asOf: Date) throws -> (result: RouteResult, profile: HazardProfile) {
        let evaluatedAt = route.departsAt ?? asOf
        guard let parts = route.shape.lineParts else {
            throw ScoringError.notALine(routeID: route.id, type: route.shape.typeName)
        }
        do {
            let scored = try score(route, parts: parts, at: evaluatedAt)
            return (try scored.result.checkedFinite(), scored.profile)
        } catch let error as GeoError {
            throw ScoringError.geometry(routeID: route.id, error)
        }
    }

    /// What one pass along a route collects.
    private struct Walk {
        /// The incidents that contributed, in the order the walk met them.
        var incidents: [IncidentContribution] = []
        var zoneKm: [Int: Double] = [:]
        var zoneOrder: [Int] = []
        var baseExposure = 0.0
        var incidentExposure = 0.0
        var lengthKm = 0.0
        var peak: (hazard: Double, atKm: Double, location: Coordinate)?
        var profile = HazardProfile()
    }

    /// An incident that counts at the route's time near a segment: its index, amplitude and
    /// projected position, gathered once per segment and filtered per piece.
    private struct Candidate {
        var incident: Int
        var amplitude: Double
        var position: Coordinate
    }

    /// One pass along the route's parts at `time` (seconds since 1970), which also records the
    /// route's hazard profile.
    ///
    /// Incidents are gathered from the index once per segment (the pieces' windows joined), then
    /// each piece keeps those in its own window, exactly the set a query per piece would give:
    /// a query per 1 km piece fetched each nearby incident dozens of times. The tally is moved
    /// out of `self` for the walk, so the hot loop mutates a local value, with no dynamic
    /// exclusivity checks on a class property.
    private func walk(_ parts: [[Coordinate]], at time: Double) throws -> Walk {
        var tally = IncidentTally(count: 0)
        swap(&tally, &self.tally)
        defer {
            tally.reset()
            swap(&tally, &self.tally)
        }
        var walk = Walk()
        var candidates: [Candidate] = []
        var nearby: [Nearby] = []
        var search = PeakSearch()
        // The disk's peak: the first place along the route where the highest hazard is reached.
        var stepPeak: (hazard: Double, atKm: Double, location: Coordinate)?
        for part in parts {
            for (index, c) in part.enumerated() { try c.validateGeographic(index: index) }
            let segments = Array(zip(part, part.dropFirst()))
            for (segmentIndex, (start, end)) in segments.enumerated() {
                let segmentLength = try geodesic.distanceKm(start, end)
                walk.profile.segmentKm.append(segmentLength)
                guard segmentLength > 0 else { continue }
                let pieces = max(1, Int((segmentLength / segmentKm).rounded(.up)))
                let dense = geodesic.intermediatePoints(from: start, to: end, count: pieces)
                let projected = try transformer.transformed(dense)
                let segmentStretches = try zones.stretches(start, end)
                // The points divide the geodesic into equal pieces.
                let length = segmentLength / Double(pieces)
                // Each piece's window, as `nearbyIncidents` makes it; the segment's joins them all.
                let windows = (0..<pieces).map { j -> Envelope in
                    let (a, b) = (projected[j], projected[j + 1])
                    let planar = hypot(b.x - a.x, b.y - a.y)
                    return pieceWindow(a, b, scale: planar > 0 ? planar / length : 1)
                }
                let segmentWindow = windows.dropFirst().reduce(windows[0]) { $0.union($1) }
                candidates.removeAll(keepingCapacity: true)
                data.incidentIndex.query(segmentWindow) { index in
                    guard let value = tally.amplitude(index, at: time, in: data) else { return }
                    candidates.append(Candidate(incident: index, amplitude: value, position: data.indexed[index].position))
                }
                for j in 0..<pieces {
                    let kmAtStart = walk.lengthKm
                    walk.lengthKm += length
                    let (a, b) = (projected[j], projected[j + 1])
                    let planar = hypot(b.x - a.x, b.y - a.y)
                    let scale = planar > 0 ? planar / length : 1
                    let window = windows[j]
                    let (ux, uy) = planar > 0 ? ((b.x - a.x) / planar, (b.y - a.y) / planar) : (1.0, 0.0)
                    nearby.removeAll(keepingCapacity: true)
                    for candidate in candidates where window.contains(candidate.position) {
                        let (rx, ry) = (candidate.position.x - a.x, candidate.position.y - a.y)
                        let across = (rx * uy - ry * ux) / scale
                        nearby.append(Nearby(incident: candidate.incident, amplitude: candidate.amplitude,
                                             along: (rx * ux + ry * uy) / scale, acrossSquared: across * across))
                    }
                    let stretches = Scorer.stretches(of: segmentStretches, piece: j, of: pieces)
                    var pieceBest = (hazard: -Double.infinity, along: 0.0, multiplier: 1.0)

                    for stretch in stretches {
                        let km = (stretch.t1 - stretch.t0) * length
                        walk.baseExposure += stretch.multiplier * stretch.base * km
                        for zone in stretch.zones {
                            if walk.zoneKm[zone] == nil { walk.zoneOrder.append(zone) }
                            walk.zoneKm[zone, default: 0] += km
                        }
                    }

                    accumulate(nearby, over: stretches, length: length, kmAtStart: kmAtStart, into: &tally)

                    let lastPiece = segmentIndex == segments.count - 1 && j == pieces - 1
                    if !kernel.isSmooth {
                        pieceBest = stepMaximum(over: stretches, nearby, length: length)
                        if pieceBest.hazard > stepPeak?.hazard ?? -.infinity {
                            stepPeak = (pieceBest.hazard, kmAtStart + pieceBest.along,
                                        Scorer.position(pieceBest.along, on: length, from: dense[j], to: dense[j + 1]))
                        }
                    }
                    for stretch in stretches where kernel.isSmooth {
                        let from = stretch.t0 * length, to = stretch.t1 * length
                        // A stretch ending inside the piece, or the route's end, is sampled at its end too.
                        let closesHere = stretch.t1 < 1 || lastPiece
                        let intervals = max(1, Int(((to - from) / peakSampleKm).rounded(.up)))
                        let spacing = (to - from) / Double(intervals)
                        for step in 0...intervals where step < intervals || closesHere {
                            let along = from + spacing * Double(step)
                            let h = hazard(at: along, stretch, nearby)
                            if h > pieceBest.hazard { pieceBest = (h, along, stretch.multiplier) }
                            search.offer(PeakSample(
                                hazard: h, along: along,
                                lower: max(from, along - spacing), upper: min(to, along + spacing),
                                lengthKm: length, kmAtStart: kmAtStart, stretch: stretch, nearby: nearby,
                                start: dense[j], end: dense[j + 1]))
                        }
                    }
                    walk.profile.append(hazard: pieceBest.hazard, along: pieceBest.along, multiplier: pieceBest.multiplier,
                                        uniformMultiplier: stretches.count == 1 ? stretches[0].multiplier : .nan)
                }
            }
            search.endRun()
        }
        walk.incidents = tally.contributions(data)
        // Summed in walk order, so the same route always gives the same bits.
        walk.incidentExposure = walk.incidents.reduce(0) { $0 + $1.exposure }
        walk.peak = kernel.isSmooth ? search.finalists.map(refine).max { $0.hazard < $1.hazard } : stepPeak
        return walk
    }

    /// Adds each nearby incident's exact contribution over the piece's stretches, and notes its
    /// closest approach, into the scratch arrays.
    private func accumulate(_ nearby: [Nearby], over stretches: [Stretch], length: Double, kmAtStart: Double,
                            into tally: inout IncidentTally) {
        for near in nearby {
            let integral = stretches.reduce(0) { sum, s in
                sum + s.multiplier * kernel.lineIntegral(acrossSquared: near.acrossSquared, foot: near.along,
                                                         from: s.t0 * length, to: s.t1 * length)
            }
            let closestAlong = min(max(near.along, 0), length)
            let offset = near.along - closestAlong
            tally.add(near.incident, exposure: near.amplitude * integral,
                      distanceKm: (near.acrossSquared + offset * offset).squareRoot(), atKm: kmAtStart + closestAlong)
        }
    }


    private func leading(_ all: [IncidentContribution], total: Double) -> [IncidentContribution] {
        RiskCore.leading(all, total: total, count: topIncidentCount)
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

    private func score(_ route: Route, parts: [[Coordinate]], at evaluatedAt: Date) throws -> (result: RouteResult, profile: HazardProfile) {
        let walk = try walk(parts, at: evaluatedAt.timeIntervalSince1970)
        let incidentExposure = walk.incidentExposure
        let start = parts.first?.first ?? Coordinate(0, 0)
        let scored = result(route, at: evaluatedAt, lengthKm: walk.lengthKm, baseExposure: walk.baseExposure,
                      incidentExposure: incidentExposure, peak: walk.peak ?? (0, 0, start),
                      zones: walk.zoneOrder.compactMap { index in
                          guard let km = walk.zoneKm[index], km > 0 else { return nil }
                          return ZoneLength(id: data.zones[index].id, name: data.zones[index].name, km: km)
                      },
                      top: leading(walk.incidents, total: incidentExposure))
        return (scored, walk.profile)
    }

    /// Re-scores a route that `previous` scored at the same evaluation time with the same
    /// zones and model, after the incidents `added` (indexes into `data.incidents`) appeared.
    ///
    /// Decay depends only on each incident's age at that time, so every earlier incident's
    /// contribution is unchanged: only the geodesic segments within reach of a new incident are
    /// walked, and only the new incidents are evaluated there. Their contributions are added
    /// exactly; the leading incidents are merged; the peak is the larger of the previous one and
    /// the profile's samples raised by the new incidents (`profile` holds each piece's highest
    /// sample, so no earlier incident is evaluated again). Returns the profile updated.
    public func update(_ route: Route, previous: RouteResult, profile: HazardProfile,
                       added: Set<Int>) throws -> (result: RouteResult, profile: HazardProfile) {
        guard let parts = route.shape.lineParts else {
            throw ScoringError.notALine(routeID: route.id, type: route.shape.typeName)
        }
        do {
            let updated = try update(route, parts: parts, previous: previous, profile: profile, added: added)
            return (try updated.result.checkedFinite(), updated.profile)
        } catch let error as GeoError {
            throw ScoringError.geometry(routeID: route.id, error)
        }
    }

    private func update(_ route: Route, parts: [[Coordinate]], previous: RouteResult, profile: HazardProfile,
                        added: Set<Int>) throws -> (result: RouteResult, profile: HazardProfile) {
        defer { tally.reset() }
        let time = previous.evaluatedAt.timeIntervalSince1970
        let fresh: [(index: Int, amplitude: Double, location: Coordinate)] = added.sorted().compactMap { index in
            data.amplitude(index, at: time).map { (index, $0, data.incidents[index].location) }
        }
        // Most routes near a new incident's box are not within its reach: a cheap pass over the
        // segments' boxes leaves them as they were.
        // A segment's geodesic stays inside the box of its ends for the short segments of a road.
        func reach(_ start: Coordinate, _ end: Coordinate) -> Envelope {
            Envelope(minX: min(start.x, end.x), minY: min(start.y, end.y), maxX: max(start.x, end.x), maxY: max(start.y, end.y))
                .widened(byKm: model.cutoffKm)
        }
        let touches = parts.contains { part in
            zip(part, part.dropFirst()).contains { start, end in
                let box = reach(start, end)
                return fresh.contains { box.contains($0.location) }
            }
        }
        guard touches else { return (previous, profile) }
        var profile = profile
        var piece = 0
        var segment = 0
        var kmAtStart = 0.0
        var peak = (hazard: previous.peakHazard, atKm: previous.peakAtKm, location: previous.peakLocation)
        guard profile.segmentKm.count == parts.reduce(0, { $0 + max(0, $1.count - 1) }) else {
            throw ScoringError.profileMismatch(routeID: route.id)
        }
        for part in parts {
            for (index, c) in part.enumerated() { try c.validateGeographic(index: index) }
            for (start, end) in zip(part, part.dropFirst()) {
                let segmentLength = profile.segmentKm[segment]
                segment += 1
                guard segmentLength > 0 else { continue }
                let pieces = max(1, Int((segmentLength / segmentKm).rounded(.up)))
                defer {
                    piece += pieces
                    kmAtStart += segmentLength
                }
                let box = reach(start, end)
                let reaching = fresh.filter { box.contains($0.location) }
                guard !reaching.isEmpty else { continue }
                guard piece + pieces <= profile.count else {
                    throw ScoringError.profileMismatch(routeID: route.id)
                }
                let dense = geodesic.intermediatePoints(from: start, to: end, count: pieces)
                let projected = try transformer.transformed(dense)
                let positions = reaching.map { data.indexed[$0.index].position }
                var segmentStretches: [Stretch]?
                let length = segmentLength / Double(pieces)
                for j in 0..<pieces {
                    let (a, b) = (projected[j], projected[j + 1])
                    let planar = hypot(b.x - a.x, b.y - a.y)
                    let scale = planar > 0 ? planar / length : 1
                    let (ux, uy) = planar > 0 ? ((b.x - a.x) / planar, (b.y - a.y) / planar) : (1.0, 0.0)
                    let nearby: [Nearby] = zip(reaching, positions).compactMap { incident, p in
                        let (rx, ry) = (p.x - a.x, p.y - a.y)
                        let across = (rx * uy - ry * ux) / scale
                        let along = (rx * ux + ry * uy) / scale
                        let outside = max(0, -along, along - length)
                        guard across * across + outside * outside <= cutoffSquared else { return nil }
                        return Nearby(incident: incident.index, amplitude: incident.amplitude, along: along, acrossSquared: across * across)
                    }
                    guard !nearby.isEmpty else { continue }
                    let k = piece + j
                    let stretches: [Stretch]
                    if profile.uniformMultiplier[k].isNaN {
                        if segmentStretches == nil { segmentStretches = try zones.stretches(start, end) }
                        stretches = Scorer.stretches(of: segmentStretches!, piece: j, of: pieces)
                    } else {
                        stretches = [Stretch(t0: 0, t1: 1, multiplier: Double(profile.uniformMultiplier[k]), base: 0, zones: [])]
                    }
                    let pieceStart = kmAtStart + Double(j) * length
                    accumulate(nearby, over: stretches, length: length, kmAtStart: pieceStart, into: &tally)
                    // The new incidents' field raises the piece's recorded highest hazard where it was sampled.
                    var along = Double(profile.along[k])
                    var raised = Double(profile.hazard[k])
                        + hazard(at: along, Stretch(t0: 0, t1: 1, multiplier: Double(profile.multiplier[k]), base: 0, zones: []), nearby)
                    if !kernel.isSmooth, nearby.contains(where: { !coversPiece($0, length: length) }) {
                        // A new disk's edge crosses the piece, so the step field's highest place in it
                        // may have moved: the piece is swept again with every incident near it.
                        if segmentStretches == nil { segmentStretches = try zones.stretches(start, end) }
                        let everyone = nearbyIncidents(a, b, planar: planar, scale: scale, time: time)
                        let best = stepMaximum(over: Scorer.stretches(of: segmentStretches!, piece: j, of: pieces), everyone, length: length)
                        (raised, along) = (best.hazard, best.along)
                        profile.along[k] = Float(along)
                        profile.multiplier[k] = Float(best.multiplier)
                    }
                    profile.hazard[k] = Float(raised)
                    if raised > peak.hazard {
                        peak = (raised, pieceStart + along, Scorer.position(along, on: length, from: dense[j], to: dense[j + 1]))
                    }
                }
            }
        }
        guard piece == profile.count else { throw ScoringError.profileMismatch(routeID: route.id) }
        let added = tally.contributions(data)
        let addedExposure = added.reduce(0) { $0 + $1.exposure }
        let incidentExposure = previous.incidentExposure + addedExposure
        let newIDs = Set(added.map(\.id))
        let earlier = previous.topIncidents.filter { !newIDs.contains($0.id) }
        let updated = result(route, at: previous.evaluatedAt, lengthKm: previous.lengthKm, baseExposure: previous.baseExposure,
                             incidentExposure: incidentExposure, peak: peak, zones: previous.zones,
                             top: leading(earlier + added, total: incidentExposure))
        return (updated, profile)
    }

    /// The stretches of piece `j` of `count` equal pieces of a segment, as fractions of the piece.
    private static func stretches(of segment: [Stretch], piece j: Int, of count: Int) -> [Stretch] {
        let low = Double(j) / Double(count)
        return segment.compactMap { stretch in
            // Rounding must not leave slivers at the piece's ends.
            var t0 = (stretch.t0 - low) * Double(count), t1 = (stretch.t1 - low) * Double(count)
            if t0 < 1e-9 { t0 = 0 }
            if t1 > 1 - 1e-9 { t1 = 1 }
            guard t1 - t0 > 1e-9 else { return nil }
            var piece = stretch
            piece.t0 = t0
            piece.t1 = t1
            return piece
        }
    }

    /// The window around the projected piece `a`-`b` (local scale `scale`) that holds every
    /// incident within the cutoff of it.
    private func pieceWindow(_ a: Coordinate, _ b: Coordinate, scale: Double) -> Envelope {
        Envelope(minX: min(a.x, b.x), minY: min(a.y, b.y), maxX: max(a.x, b.x), maxY: max(a.y, b.y))
            .expanded(by: model.cutoffKm * scale * 1.001)
    }

    /// Incidents within the cutoff of the projected piece `a`-`b` that count at `time`.
    private func nearbyIncidents(_ a: Coordinate, _ b: Coordinate, planar: Double, scale: Double, time: Double) -> [Nearby] {
        let window = pieceWindow(a, b, scale: scale)
        let (ux, uy) = planar > 0 ? ((b.x - a.x) / planar, (b.y - a.y) / planar) : (1.0, 0.0)
        var found: [Nearby] = []
        data.incidentIndex.query(window) { index in
            guard let value = tally.amplitude(index, at: time, in: data) else { return }
            let p = data.indexed[index].position
            let (rx, ry) = (p.x - a.x, p.y - a.y)
            let across = (rx * uy - ry * ux) / scale
            found.append(Nearby(incident: index, amplitude: value, along: (rx * ux + ry * uy) / scale, acrossSquared: across * across))
        }
        return found
    }

    private func hazard(at along: Double, _ stretch: Stretch, _ nearby: [Nearby]) -> Double {
        var field = 0.0
        for near in nearby {
            let offset = along - near.along
            field += near.amplitude * kernel.value(squaredKm: near.acrossSquared + offset * offset)
        }
        return stretch.multiplier * (stretch.base + field)
    }

    /// The highest hazard on a piece for the disk kernel, the first place along the piece where
    /// it is reached, and the zone multiplier there.
    private func stepMaximum(over stretches: [Stretch], _ nearby: [Nearby], length: Double)
        -> (hazard: Double, along: Double, multiplier: Double) {
        var best = (hazard: -Double.infinity, along: 0.0, multiplier: 1.0)
        for stretch in stretches {
            let found = stepMaximum(stretch, nearby, from: stretch.t0 * length, to: stretch.t1 * length)
            if found.hazard > best.hazard { best = (found.hazard, found.along, stretch.multiplier) }
        }
        return best
    }

    /// Whether the incident's disk covers the whole piece `0...length`.
    private func coversPiece(_ near: Nearby, length: Double) -> Bool {
        guard let chord = kernel.chord(acrossSquared: near.acrossSquared, foot: near.along) else { return false }
        return chord.lower <= 0 && chord.upper >= length
    }

    /// The highest hazard on a stretch `from...to` (km along its piece) for the disk kernel, and
    /// the first place on the stretch where it is reached. The field there is a step function
    /// that changes only where the route enters or leaves a disk (the ends of each incident's
    /// chord), so a sweep over those ends finds the maximum exactly. A chord of no length (a
    /// route touching a disk, or one disk left where the next is entered) carries no hazard, as
    /// it carries no exposure.
    private func stepMaximum(_ stretch: Stretch, _ nearby: [Nearby], from: Double, to: Double) -> (hazard: Double, along: Double) {
        var chords: [(lower: Double, upper: Double, near: Nearby)] = []
        // Each chord's ends, where the field rises or falls by the incident's amplitude.
        var ends: [(at: Double, change: Double)] = []
        for near in nearby {
            guard let chord = kernel.chord(acrossSquared: near.acrossSquared, foot: near.along) else { continue }
            let lower = max(from, chord.lower), upper = min(to, chord.upper)
            guard upper > lower else { continue }
            chords.append((lower, upper, near))
            ends.append((lower, near.amplitude))
            ends.append((upper, -near.amplitude))
        }
        // Where two chord ends coincide, the one that ends goes first.
        ends.sort { $0.at != $1.at ? $0.at < $1.at : $0.change < $1.change }
        var field = 0.0
        var best = (field: 0.0, along: from)
        for end in ends {
            field += end.change
            if end.change > 0, field > best.field { best = (field, end.at) }
        }
        // The running sum may differ from the same incidents' sum in another order by rounding:
        // the field at the best place is summed again in incident order, so that equal plateaus
        // on consecutive pieces compare equal and the first of them is kept.
        let exact = chords.filter { $0.lower <= best.along && $0.upper > best.along }
            .sorted { $0.near.incident < $1.near.incident }
            .reduce(0) { $0 + $1.near.amplitude }
        return (stretch.multiplier * (stretch.base + exact), best.along)
    }

    /// The point `along` km into a piece of `length` km from `start` to `end` (lon/lat, linear
    /// within the short piece).
    private static func position(_ along: Double, on length: Double, from start: Coordinate, to end: Coordinate) -> Coordinate {
        let t = along / length
        return Coordinate(start.x + (end.x - start.x) * t, start.y + (end.y - start.y) * t)
    }

    /// Golden-section search for the maximum around a sample.
    private func refine(_ sample: PeakSample) -> (hazard: Double, atKm: Double, location: Coordinate) {
        var low = sample.lower
        var high = sample.upper
        var best = (hazard: sample.hazard, along: sample.along)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<48 where high - low > 1e-6 {
            let m1 = high - ratio * (high - low), m2 = low + ratio * (high - low)
            let h1 = hazard(at: m1, sample.stretch, sample.nearby), h2 = hazard(at: m2, sample.stretch, sample.nearby)
            if h1 > best.hazard { best = (h1, m1) }
            if h2 > best.hazard { best = (h2, m2) }
            if h1 < h2 { low = m1 } else { high = m2 }
        }
        return (best.hazard, sample.kmAtStart + best.along,
                Scorer.position(best.along, on: sample.lengthKm, from: sample.start, to: sample.end))
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

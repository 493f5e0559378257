import Foundation
import Geo

/// The fast path: the incident field read from a `HazardGrid` instead of summed incident by
/// incident, with zones still cut exactly along each route segment. One per task, like `Scorer`.
///
/// A route evaluated at `T` later than the grid's `T0` reads `0.5^((T - T0) / tau)` times the
/// grid (the spec's decay property), plus, exactly, the incidents that happened between `T0` and
/// `T`, minus those that decayed below `min_decay` in between. Each stretch between zone breaks is
/// integrated by Simpson's rule on samples a grid cell apart. The leading incidents are
/// estimated from the grid's per-node leaders: their own terms are summed exactly at each sample
/// where they lead, so the ids and closest approaches are right and the shares close.
///
/// Each result comes with a bound of its exposure's error (`Bounded`): the grid's interpolation
/// bound (`HazardGrid.errorBound(at:)`) integrated along the route like the field, plus, for
/// each exact correction whose cutoff circle lies within a Simpson step of a sample, the jump
/// that Simpson's rule may misplace there. `scoreRoutes` scores exactly the routes whose bound
/// is not within the spec's 1 %.
public final class FastScorer {
    public let data: ScoringData
    public let grid: HazardGrid
    public let topIncidentCount: Int
    private let transformer: Transformer
    private let zones: ZoneCutter
    private let geodesic = Geodesic.wgs84
    private var tally: IncidentTally

    public init(_ data: ScoringData, grid: HazardGrid, topIncidents: Int = 5) throws {
        self.data = data
        self.grid = grid
        topIncidentCount = topIncidents
        transformer = try data.crs.transformer()
        zones = try ZoneCutter(data)
        tally = IncidentTally(count: data.incidents.count)
    }

    private var model: Model { data.model }

    /// An exact correction term: an incident's index, projected position and signed amplitude at `T`.
    private struct Correction {
        var index: Int
        var position: Coordinate
        var amplitude: Double
    }

    /// A fast result and an upper bound of its exposure's difference from the exact one.
    public struct Bounded: Sendable {
        public var result: RouteResult
        public var errorBound: Double
    }

    public func score(_ route: Route, asOf: Date) throws -> RouteResult {
        try scoreBounded(route, asOf: asOf).result
    }

    public func scoreBounded(_ route: Route, asOf: Date) throws -> Bounded {
        let evaluatedAt = route.departsAt ?? asOf
        guard let parts = route.shape.lineParts else {
            throw ScoringError.notALine(routeID: route.id, type: route.shape.typeName)
        }
        guard evaluatedAt >= grid.referenceTime else {
            throw ScoringError.gridTooLate(routeID: route.id)
        }
        do {
            var scored = try score(route, parts: parts, at: evaluatedAt)
            scored.result = try scored.result.checkedFinite()
            return scored
        } catch let error as GeoError {
            throw ScoringError.geometry(routeID: route.id, error)
        }
    }

    private func score(_ route: Route, parts: [[Coordinate]], at evaluatedAt: Date) throws -> Bounded {
        defer { tally.reset() }
        let time = evaluatedAt.timeIntervalSince1970
        let decay = model.decayFactor(ageDays: evaluatedAt.timeIntervalSince(grid.referenceTime) / 86_400)
        let corrections = self.corrections(at: time, near: route.shape.envelope)
        let kernel = model.kernel
        let cutoffSquared = kernel.cutoffKm * kernel.cutoffKm
        var lengthKm = 0.0, baseExposure = 0.0, incidentExposure = 0.0, errorBound = 0.0
        // A correction's kernel jumps by `amplitude * jumpFactor` at its cutoff (a little inside it,
        // to cover the samples around it).
        let cutoffKm = kernel.cutoffKm
        var zoneKm: [Int: Double] = [:]
        var zoneOrder: [Int] = []
        var peak = (hazard: -1.0, atKm: 0.0, location: parts.first?.first ?? Coordinate(0, 0))

        for part in parts {
            for (index, c) in part.enumerated() { try c.validateGeographic(index: index) }
            let projected = try transformer.transformed(part)
            for s in 0..<max(0, part.count - 1) {
                let (start, end) = (part[s], part[s + 1])
                let length = geodesic.unchecked(from: start, to: end).distanceKm
                guard length > 0 else { continue }
                let (a, b) = (projected[s], projected[s + 1])
                let scale = hypot(b.x - a.x, b.y - a.y) / length
                for stretch in try zones.stretches(start, end) {
                    let from = stretch.t0 * length, to = stretch.t1 * length
                    let km = to - from
                    baseExposure += stretch.multiplier * stretch.base * km
                    for zone in stretch.zones {
                        if zoneKm[zone] == nil { zoneOrder.append(zone) }
                        zoneKm[zone, default: 0] += km
                    }
                    // Simpson's rule: an even number of intervals of at most two grid cells (the
                    // interpolated field is smooth within a cell, so this adds no visible error).
                    let intervals = max(2, 2 * Int((km / grid.cellKm / 4).rounded(.up)))
                    let step = km / Double(intervals)
                    let jumpFactor = kernel(max(0, cutoffKm - step))
                    let (ringInner, ringOuter) = (max(0, cutoffKm - step) * max(0, cutoffKm - step), (cutoffKm + step) * (cutoffKm + step))
                    for n in 0...intervals {
                        let along = from + step * Double(n)
                        let weight = (n == 0 || n == intervals ? 1.0 : (n % 2 == 1 ? 4.0 : 2.0)) * step / 3
                        let t = along / length
                        let x = Coordinate(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
                        var field = decay * grid.field(at: x)
                        var bound = decay * grid.errorBound(at: x)
                        for correction in corrections {
                            let dx = (x.x - correction.position.x) / scale, dy = (x.y - correction.position.y) / scale
                            let squared = dx * dx + dy * dy
                            // Simpson's rule puts a cutoff lying between samples at a sample: it may
                            // count or miss the jump over up to a step on each side.
                            if squared >= ringInner && squared <= ringOuter {
                                bound += 2 * abs(correction.amplitude) * jumpFactor
                            }
                            let term = correction.amplitude * kernel.value(squaredKm: squared)
                            field += term
                            // An incident after the grid's time is in no node's leaders: it is tallied
                            // here, where its term is evaluated exactly anyway.
                            if term > 0 {
                                tally.add(correction.index, exposure: weight * stretch.multiplier * term, distanceKm: squared.squareRoot(),
                                          atKm: lengthKm + along)
                            }
                        }
                        field = max(field, 0)
                        incidentExposure += weight * stretch.multiplier * field
                        errorBound += weight * stretch.multiplier * bound
                        let hazard = stretch.multiplier * (stretch.base + field)
                        if hazard > peak.hazard {
                            peak = (hazard, lengthKm + along, Coordinate(start.x + (end.x - start.x) * t, start.y + (end.y - start.y) * t))
                        }
                        for leader in grid.leaders(near: x) where leader >= 0 {
                            let index = Int(leader)
                            guard let value = tally.amplitude(index, at: time, in: data) else { continue }
                            let p = data.indexed[index].position
                            let dx = (x.x - p.x) / scale, dy = (x.y - p.y) / scale
                            let squared = dx * dx + dy * dy
                            guard squared <= cutoffSquared else { continue }
                            tally.add(index, exposure: weight * stretch.multiplier * value * kernel.value(squaredKm: squared),
                                      distanceKm: squared.squareRoot(), atKm: lengthKm + along)
                        }
                    }
                }
                lengthKm += length
            }
        }
        let exposure = baseExposure + incidentExposure
        let score = model.score(exposure: exposure)
        let top = leading(tally.contributions(data), total: incidentExposure, count: topIncidentCount)
        let result = RouteResult(
            id: route.id, name: route.name, evaluatedAt: evaluatedAt, lengthKm: lengthKm, exposure: exposure,
            baseExposure: baseExposure, incidentExposure: incidentExposure, meanHazard: lengthKm > 0 ? exposure / lengthKm : 0,
            peakHazard: max(peak.hazard, 0), peakAtKm: peak.atKm, peakLocation: peak.location, score: score,
            band: model.band(score: score),
            zones: zoneOrder.compactMap { index in
                guard let km = zoneKm[index], km > 0 else { return nil }
                return ZoneLength(id: data.zones[index].id, name: data.zones[index].name, km: km)
            },
            topIncidents: Array(top))
        return Bounded(result: result, errorBound: errorBound)
    }

    /// Incidents the grid gets wrong at `time`, near the route: those after the grid's time
    /// that count (added), and those in the grid that no longer count (removed).
    private func corrections(at time: Double, near envelope: Envelope?) -> [Correction] {
        guard let envelope else { return [] }
        let window = envelope.widened(byKm: model.cutoffKm)
        var found: [Correction] = []
        for index in grid.later where window.contains(data.incidents[index].location) {
            if let amplitude = data.amplitude(index, at: time) {
                found.append(Correction(index: index, position: data.indexed[index].position, amplitude: amplitude))
            }
        }
        let t0 = grid.referenceTime.timeIntervalSince1970
        for index in grid.fading {
            // Oldest first: once one still counts at `time`, every later one does too.
            guard data.amplitude(index, at: time) == nil else { break }
            guard window.contains(data.incidents[index].location) else { continue }
            // The grid holds it at its T0 amplitude, which the decay factor brings to T.
            let atT0 = data.amplitude(index, at: t0) ?? 0
            let factor = model.decayFactor(ageDays: (time - t0) / 86_400)
            found.append(Correction(index: index, position: data.indexed[index].position, amplitude: -atT0 * factor))
        }
        return found
    }
}

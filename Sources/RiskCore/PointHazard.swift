import Foundation
import Geo

extension ScoringData {
    /// The hazard `h_T(x) = M(x) (B(x) + I_T(x))` at each of `points` (longitude/latitude) at
    /// evaluation time `time`, for maps and checks rather than scoring: the scorers integrate
    /// along routes and never need single points.
    ///
    /// Zone terms come from GEOS coverage tests (boundary points count as inside, as they do
    /// for the scorer's cuts). Distances to incidents are measured in the working CRS and divided
    /// by each incident's local scale, as the hazard grid measures them, which leaves them well
    /// within the spec's 0.5 % of the geodesic value.
    public func hazard(at points: [Coordinate], time: Date) throws -> [Double] {
        guard !points.isEmpty else { return [] }
        for (index, c) in points.enumerated() { try c.validateGeographic(index: index) }
        let projected = try crs.transformer().transformed(points)
        let scales = try localScales()
        let reach = model.cutoffKm * (scales.max() ?? 1) * 1.001
        let seconds = time.timeIntervalSince1970
        let amplitudes = indexed.indices.map { amplitude($0, at: seconds) }

        let context = try GeometryContext()
        var prepared: [Int: PreparedGeometry] = [:]
        var out: [Double] = []
        out.reserveCapacity(points.count)
        for (c, p) in zip(points, projected) {
            var field = 0.0
            incidentIndex.query(Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y).expanded(by: reach)) { index in
                guard let amplitude = amplitudes[index] else { return }
                let q = indexed[index].position
                field += amplitude * model.kernel(hypot(q.x - p.x, q.y - p.y) / scales[index])
            }
            var base = 0.0, multiplier = 1.0
            let candidates = zoneIndex.query(Envelope(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y))
            let point = candidates.isEmpty ? nil : try Geometry(.point(c), in: context)
            for zone in candidates {
                if prepared[zone] == nil { prepared[zone] = try Geometry(zones[zone].shape, in: context).prepared() }
                guard let point, try prepared[zone]!.covers(point) else { continue }
                base = max(base, zones[zone].base)
                multiplier *= zones[zone].multiplier
            }
            out.append(multiplier * (base + field))
        }
        return out
    }
}

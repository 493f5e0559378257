import Foundation
import Geo
import RiskCore

/// Whether the data can judge a route (docs/model.md, "Coverage"). A stretch of route is covered
/// when a zone covers it AND it lies within the incident data's extent: the envelope of every
/// loaded incident (of any date), widened on each side by the kernel's cutoff. Zones say where the
/// data's authors looked (a province's quiet roads are genuinely quiet); the incidents' extent says
/// where incidents were recorded at all. A route in Nairobi or Kashgar has neither.
public enum CoverageVerdict: String, Sendable, CaseIterable {
    /// At least `RouteCoverage.insideFrom` of the route's km is covered.
    case inside
    /// Some but less than `insideFrom` of it.
    case partly
    /// None of it: its score says nothing about the place.
    case outside
}

public struct RouteCoverage: Sendable, Equatable {
    /// A route is inside from this fraction of covered km. Zone files are simplified: a coast
    /// road or a road along a border crosses their edges here and there, and 5 % of a route is
    /// too little to change what its score means.
    public static let insideFrom = 0.95

    public var verdict: CoverageVerdict
    /// Fraction of the route's km that is covered, 0 to 1.
    public var coveredFraction: Double

    public init(coveredFraction: Double) {
        self.coveredFraction = coveredFraction
        verdict = coveredFraction >= RouteCoverage.insideFrom ? .inside : coveredFraction > 0 ? .partly : .outside
    }
}

/// The covered area of one scoring job, as plain values that any task can read.
public struct CoverageArea: Sendable {
    /// The incidents' envelope widened by the cutoff, in degrees; nil without incidents.
    public let incidentExtent: Envelope?
    let zones: [Shape]
    let zoneIndex: EnvelopeIndex<Int>

    public init(incidents: [Incident], zones: [Zone], reachKm: Double) {
        self.zones = zones.map(\.shape)
        zoneIndex = EnvelopeIndex(zones.enumerated().compactMap { index, zone in zone.shape.envelope.map { ($0, index) } })
        if let box = Envelope(covering: incidents.map(\.location)) {
            // A degree of latitude is at least 110.57 km; a degree of longitude shrinks with the
            // cosine of the latitude farthest from the equator, so this widening is never short.
            let dLat = reachKm / 110.57
            let farthest = min(89.0, max(abs(box.minY), abs(box.maxY)) + dLat)
            let dLon = min(180.0, reachKm / (111.32 * cos(farthest * .pi / 180)))
            incidentExtent = Envelope(minX: box.minX - dLon, minY: box.minY - dLat, maxX: box.maxX + dLon, maxY: box.maxY + dLat)
        } else {
            incidentExtent = nil
        }
    }

    /// Measures one route on its own GEOS context (one per task, as the threading rule asks).
    public final class Meter {
        let area: CoverageArea
        let context: GeometryContext
        private var prepared: [Int: PreparedGeometry] = [:]

        public init(_ area: CoverageArea) throws {
            self.area = area
            context = try GeometryContext()
        }

        /// The route sampled at most 1 km apart (at most 2,000 samples: 0.05 % resolution), each
        /// sample the middle of its stretch, weighted by the stretch's geodesic length.
        public func coverage(of shape: Shape) throws -> RouteCoverage {
            guard let parts = shape.lineParts else { return RouteCoverage(coveredFraction: 0) }
            let total = try Geodesic.wgs84.lengthKm(of: shape)
            guard total > 0 else {
                let first = parts.first?.first
                return RouteCoverage(coveredFraction: try first.map { try covers($0) ? 1 : 0 } ?? 0)
            }
            let step = max(1.0, total / 2_000)
            var covered = 0.0
            for part in parts {
                let points = try Geodesic.wgs84.densify(part, maxSegmentKm: step)
                for (a, b) in zip(points, points.dropFirst()) {
                    let km = Geodesic.wgs84.unchecked(from: a, to: b).distanceKm
                    if km > 0, try covers(Coordinate((a.x + b.x) / 2, (a.y + b.y) / 2)) { covered += km }
                }
            }
            return RouteCoverage(coveredFraction: min(1, covered / total))
        }

        func covers(_ c: Coordinate) throws -> Bool {
            guard let extent = area.incidentExtent, extent.minX <= c.x, c.x <= extent.maxX, extent.minY <= c.y, c.y <= extent.maxY
            else { return false }
            var found = false
            for index in area.zoneIndex.query(Envelope(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y)) where !found {
                found = try zone(index).covers(c)
            }
            return found
        }

        private func zone(_ index: Int) throws -> PreparedGeometry {
            if let done = prepared[index] { return done }
            let geometry = try Geometry(area.zones[index], in: context).prepared()
            prepared[index] = geometry
            return geometry
        }
    }
}

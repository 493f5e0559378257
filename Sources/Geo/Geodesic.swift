import CPROJ

/// Geodesics on an ellipsoid (WGS84 by default) through PROJ's `geodesic.h` (Karney's
/// algorithms, accurate to nanometres). Positions are longitude/latitude in degrees;
/// distances are in kilometres and azimuths in degrees clockwise from north.
public struct Geodesic: Sendable {
    private let ellipsoid: geod_geodesic

    public static let wgs84 = Geodesic(equatorialRadius: 6_378_137, flattening: 1 / 298.257223563)

    public init(equatorialRadius: Double, flattening: Double) {
        var g = geod_geodesic()
        geod_init(&g, equatorialRadius, flattening)
        ellipsoid = g
    }

    public struct Inverse: Sendable, Equatable {
        public var distanceKm: Double
        /// Azimuth at the start, and the forward azimuth at the end.
        public var azimuth1: Double
        public var azimuth2: Double
    }

    public func inverse(from a: Coordinate, to b: Coordinate) throws -> Inverse {
        try a.validateGeographic(index: 0)
        try b.validateGeographic(index: 1)
        return unchecked(from: a, to: b)
    }

    /// The inverse problem without range checks, for coordinates already validated.
    public func unchecked(from a: Coordinate, to b: Coordinate) -> Inverse {
        var g = ellipsoid
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        geod_inverse(&g, a.y, a.x, b.y, b.x, &s12, &azi1, &azi2)
        return Inverse(distanceKm: s12 / 1000, azimuth1: azi1, azimuth2: azi2)
    }

    public func distanceKm(_ a: Coordinate, _ b: Coordinate) throws -> Double {
        try inverse(from: a, to: b).distanceKm
    }

    /// The position reached from `start` after `distanceKm` on the initial `azimuth`, and the
    /// forward azimuth there.
    public func direct(from start: Coordinate, azimuth: Double, distanceKm: Double) throws -> (position: Coordinate, azimuth: Double) {
        try start.validateGeographic()
        guard azimuth.isFinite, distanceKm.isFinite else {
            throw GeoError.invalidGeometry("direct geodesic needs a finite azimuth and distance")
        }
        var g = ellipsoid
        var lat = 0.0, lon = 0.0, azi = 0.0
        geod_direct(&g, start.y, start.x, azimuth, distanceKm * 1000, &lat, &lon, &azi)
        return (Coordinate(lon, lat), azi)
    }

    /// Geodesic length of a polyline in km.
    public func lengthKm(of line: [Coordinate]) throws -> Double {
        for (index, c) in line.enumerated() { try c.validateGeographic(index: index) }
        return zip(line, line.dropFirst()).reduce(0) { $0 + unchecked(from: $1.0, to: $1.1).distanceKm }
    }

    /// Geodesic area of a polygon (exterior ring minus holes) in km², whatever the rings' orientation.
    public func areaKm2(of rings: [[Coordinate]]) throws -> Double {
        guard let shell = rings.first else { return 0 }
        return try ringArea(shell) - rings.dropFirst().reduce(0) { $0 + (try ringArea($1)) }
    }

    private func ringArea(_ ring: [Coordinate]) throws -> Double {
        for (index, c) in ring.enumerated() { try c.validateGeographic(index: index) }
        var g = ellipsoid
        // geod_polygonarea closes the ring itself; drop the repeated last position.
        let open = ring.count > 1 && ring.first == ring.last ? Array(ring.dropLast()) : ring
        var lats = open.map(\.y), lons = open.map(\.x)
        var area = 0.0, perimeter = 0.0
        geod_polygonarea(&g, &lats, &lons, Int32(open.count), &area, &perimeter)
        return abs(area) / 1_000_000
    }

    /// Geodesic length of a (multi)line or area of a (multi)polygon; other shapes measure 0.
    public func lengthKm(of shape: Shape) throws -> Double {
        try (shape.lineParts ?? []).reduce(0) { $0 + (try lengthKm(of: $1)) }
    }

    public func areaKm2(of shape: Shape) throws -> Double {
        try (shape.polygons ?? []).reduce(0) { $0 + (try areaKm2(of: $1)) }
    }

    /// `count + 1` positions evenly spaced along the geodesic from `a` to `b`, both ends included.
    public func intermediatePoints(from a: Coordinate, to b: Coordinate, count: Int) -> [Coordinate] {
        guard count > 1 else { return [a, b] }
        var g = ellipsoid
        var line = geod_geodesicline()
        geod_inverseline(&line, &g, a.y, a.x, b.y, b.x, 0)
        var points = [a]
        points.reserveCapacity(count + 1)
        for step in 1..<count {
            var lat = 0.0, lon = 0.0
            geod_position(&line, line.s13 * Double(step) / Double(count), &lat, &lon, nil)
            points.append(Coordinate(lon, lat))
        }
        points.append(b)
        return points
    }

    /// The position `km` along a (multi)line whose vertices are joined by geodesics, counted as
    /// the scorer counts km marks: the parts in order, the gaps between them left out. A mark
    /// before the start or past the end gives the first or the last position.
    public func position(along parts: [[Coordinate]], atKm km: Double) throws -> Coordinate {
        guard km.isFinite else { throw GeoError.invalidGeometry("a km mark must be finite, got \(km)") }
        guard let first = parts.first(where: { !$0.isEmpty })?.first else {
            throw GeoError.invalidGeometry("a line with no positions has no km marks")
        }
        guard km > 0 else { return first }
        var remaining = km
        var last = first
        for part in parts {
            for (index, c) in part.enumerated() { try c.validateGeographic(index: index) }
            for (a, b) in zip(part, part.dropFirst()) {
                var g = ellipsoid
                var line = geod_geodesicline()
                geod_inverseline(&line, &g, a.y, a.x, b.y, b.x, 0)
                let length = line.s13 / 1000
                if remaining <= length {
                    var lat = 0.0, lon = 0.0
                    geod_position(&line, remaining * 1000, &lat, &lon, nil)
                    return Coordinate(lon, lat)
                }
                remaining -= length
            }
            last = part.last ?? last
        }
        return last
    }

    /// The polyline with geodesic intermediate points so no piece exceeds `maxSegmentKm`.
    public func densify(_ line: [Coordinate], maxSegmentKm: Double) throws -> [Coordinate] {
        guard maxSegmentKm > 0 else { throw GeoError.invalidGeometry("densify needs a positive segment length") }
        guard let first = line.first else { return [] }
        for (index, c) in line.enumerated() { try c.validateGeographic(index: index) }
        var out = [first]
        for (a, b) in zip(line, line.dropFirst()) {
            let pieces = max(1, Int((unchecked(from: a, to: b).distanceKm / maxSegmentKm).rounded(.up)))
            out.append(contentsOf: intermediatePoints(from: a, to: b, count: pieces).dropFirst())
        }
        return out
    }
}

import Foundation
import Testing
@testable import Geo

@Suite struct ProjectionTests {
    @Test func utmNorthingOnTheCentralMeridianIsTheScaledMeridianArc() throws {
        // UTM zone 42N has central meridian 69E, false easting 500 km and scale 0.9996, so a point
        // on that meridian projects to easting 500000 and northing 0.9996 x its meridian arc.
        let utm = try Transformer(from: "EPSG:4326", to: "EPSG:32642")
        let p = try utm.transform(Coordinate(69, 30))
        let arcMetres = try Geodesic.wgs84.distanceKm(Coordinate(69, 0), Coordinate(69, 30)) * 1000
        #expect(abs(p.x - 500_000) < 1e-6)
        #expect(abs(p.y - 0.9996 * arcMetres) < 1e-3)
        let back = try utm.transform(p, inverse: true)
        #expect(abs(back.x - 69) < 1e-9 && abs(back.y - 30) < 1e-9)
    }

    @Test func arraysTransformInOneCallLikeSinglePoints() throws {
        let transformer = try Transformer(from: "EPSG:4326", to: "+proj=utm +zone=42 +datum=WGS84 +type=crs")
        var random = SplitMix64(seed: 5)
        let points = (0..<1_000).map { _ in Coordinate(random.uniform(61, 77), random.uniform(24, 37)) }
        let projected = try transformer.transformed(points)
        for index in stride(from: 0, to: points.count, by: 97) {
            #expect(try transformer.transform(points[index]) == projected[index])
        }
        let restored = try transformer.transformed(projected, inverse: true)
        #expect(zip(points, restored).allSatisfy { abs($0.x - $1.x) < 1e-9 && abs($0.y - $1.y) < 1e-9 })
    }

    @Test func shapesTransformWithTheirStructure() throws {
        let transformer = try Transformer(from: "EPSG:4326", to: "EPSG:32642")
        let shape = Shape.multiLineString([[Coordinate(67, 25), Coordinate(68, 25)], [Coordinate(69, 30), Coordinate(69, 31)]])
        guard case .multiLineString(let lines) = try transformer.transform(shape) else {
            Issue.record("type changed")
            return
        }
        #expect(lines.map(\.count) == [2, 2])
        #expect(abs(lines[1][0].x - 500_000) < 1e-6)
    }

    @Test func unknownCRSIsAnErrorWithPROJsMessage() {
        #expect {
            _ = try Transformer(from: "EPSG:4326", to: "EPSG:999999")
        } throws: { error in
            guard case GeoError.proj(_, let message) = error else { return false }
            return message.contains("999999") || message.lowercased().contains("crs")
        }
        #expect(throws: GeoError.self) { _ = try Transformer(from: "not a crs", to: "EPSG:4326") }
    }

    @Test func untransformableCoordinatesNameTheirIndex() throws {
        let transformer = try Transformer(from: "EPSG:4326", to: "EPSG:32642")
        #expect {
            _ = try transformer.transformed([Coordinate(67, 25), Coordinate(67, 95)])
        } throws: { error in
            guard case GeoError.coordinateOutOfRange(let index, _, let y, _) = error else { return false }
            return index == 1 && y == 95
        }
    }
}

@Suite struct WorkingCRSTests {
    static let extent = WorkingCRS.pakistanExtent

    @Test func shortDistancesStayWithinHalfAPercentOfGeodesic() throws {
        let crs = try WorkingCRS(fitting: Self.extent)
        let transformer = try crs.transformer()
        var random = SplitMix64(seed: 2026)
        var worst = 0.0
        for _ in 0..<2_000 {
            let a = Coordinate(random.uniform(Self.extent.minX, Self.extent.maxX), random.uniform(Self.extent.minY, Self.extent.maxY))
            let (b, _) = try Geodesic.wgs84.direct(from: a, azimuth: random.uniform(-180, 180), distanceKm: random.uniform(0.05, 100))
            let geodesic = vincentyDistanceKm(a, b)
            let p = try transformer.transformed([a, b])
            let planar = hypot(p[1].x - p[0].x, p[1].y - p[0].y)
            worst = max(worst, abs(planar - geodesic) / geodesic)
        }
        print("working CRS: worst relative distance error over 2000 pairs up to 100 km: \(worst)")
        #expect(worst < 0.005)
    }

    /// Issue 10 item 9: data centred on the equator (East Africa; or incidents at both poles)
    /// made the conic's parallels symmetric, which PROJ refuses ("Invalid value"). Such an
    /// extent gets the conic's limit, Mercator, and keeps the spec's 0.5 %.
    @Test func anExtentCentredOnTheEquatorIsProjectedWithinHalfAPercent() throws {
        let extent = Envelope(minX: 30, minY: -6, maxX: 42, maxY: 6)
        let transformer = try WorkingCRS(fitting: extent).transformer()
        var random = SplitMix64(seed: 7)
        var worst = 0.0
        for _ in 0..<500 {
            let a = Coordinate(random.uniform(extent.minX, extent.maxX), random.uniform(extent.minY, extent.maxY))
            let (b, _) = try Geodesic.wgs84.direct(from: a, azimuth: random.uniform(-180, 180), distanceKm: random.uniform(0.05, 100))
            let p = try transformer.transformed([a, b])
            let geodesic = vincentyDistanceKm(a, b)
            worst = max(worst, abs(hypot(p[1].x - p[0].x, p[1].y - p[0].y) - geodesic) / geodesic)
        }
        #expect(worst < 0.005, "\(worst)")
        // Whole-world data clipped to the latitude limit is projected too (with large scale errors).
        #expect(try WorkingCRS(fitting: Envelope(minX: -180, minY: -85, maxX: 180, maxY: 85)).transformer()
            .transformed([Coordinate(-179, -85), Coordinate(179, 85)]).allSatisfy { $0.x.isFinite && $0.y.isFinite })
    }

    @Test func fiveHundredKilometrePolylinesStayWithinHalfAPercent() throws {
        let transformer = try WorkingCRS(fitting: Self.extent).transformer()
        var random = SplitMix64(seed: 42)
        var worst = 0.0
        var checked = 0
        while checked < 1_000 {
            // A random walk of 25 legs of 20 km, kept inside the extent.
            var line = [Coordinate(random.uniform(Self.extent.minX, Self.extent.maxX), random.uniform(Self.extent.minY, Self.extent.maxY))]
            var heading = random.uniform(-180, 180)
            for _ in 0..<25 {
                heading += random.uniform(-40, 40)
                line.append(try Geodesic.wgs84.direct(from: line.last!, azimuth: heading, distanceKm: 20).position)
            }
            guard line.allSatisfy(Self.extent.contains) else { continue }
            let geodesic = zip(line, line.dropFirst()).reduce(0) { $0 + vincentyDistanceKm($1.0, $1.1) }
            let projected = try transformer.transformed(line)
            let planar = zip(projected, projected.dropFirst()).reduce(0) { $0 + hypot($1.1.x - $1.0.x, $1.1.y - $1.0.y) }
            worst = max(worst, abs(planar - geodesic) / geodesic)
            checked += 1
        }
        print("working CRS: worst relative error of 1000 polylines of 500 km: \(worst)")
        #expect(worst < 0.005)
    }

    @Test func pipelineTransformerMatchesTheCRSToCRSOne() throws {
        let crs = try WorkingCRS(fitting: Self.extent)
        let viaDatabase = try Transformer(from: "EPSG:4326", to: crs.definition)
        let viaPipeline = try crs.transformer()
        var random = SplitMix64(seed: 8)
        let points = (0..<500).map { _ in Coordinate(random.uniform(60, 78), random.uniform(23, 38)) }
        for (a, b) in zip(try viaDatabase.transformed(points), try viaPipeline.transformed(points)) {
            #expect(abs(a.x - b.x) < 1e-9 && abs(a.y - b.y) < 1e-9)
        }
        #expect(throws: GeoError.self) { _ = try Transformer(pipeline: "+proj=nonsense", source: "a", target: "b") }
    }

    @Test func rejectsAnImpossibleExtent() {
        #expect(throws: GeoError.self) { _ = try WorkingCRS(fitting: Envelope(minX: 0, minY: 0, maxX: 10, maxY: 95)) }
    }
}

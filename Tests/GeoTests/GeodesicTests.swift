import Foundation
import TestSupport
import Testing
@testable import Geo

/// Vincenty's inverse formula on WGS84 (TestSupport), so that PROJ's geodesics are checked
/// against an independent method.
func vincentyDistanceKm(_ p: Coordinate, _ q: Coordinate) -> Double {
    Vincenty.distanceKm(LonLat(p.x, p.y), LonLat(q.x, q.y))
}

@Suite struct GeodesicTests {
    let geodesic = Geodesic.wgs84
    let karachi = Coordinate(67.0011, 24.8607)
    let gwadar = Coordinate(62.3254, 25.1216)

    @Test func karachiToGwadarAgreesWithVincenty() throws {
        let distance = try geodesic.distanceKm(karachi, gwadar)
        #expect(abs(distance - vincentyDistanceKm(karachi, gwadar)) < 1e-6)
        #expect(abs(distance - 473) < 1)
        #expect(try geodesic.lengthKm(of: [karachi, gwadar]) == distance)
    }

    @Test func inverseAgreesWithVincentyOnRandomPairs() throws {
        var random = SplitMix64(seed: 11)
        for _ in 0..<500 {
            let p = Coordinate(random.uniform(-180, 180), random.uniform(-80, 80))
            let q = Coordinate(p.x + random.uniform(-40, 40), max(-80, min(80, p.y + random.uniform(-40, 40))))
            let q180 = Coordinate(q.x > 180 ? q.x - 360 : (q.x < -180 ? q.x + 360 : q.x), q.y)
            let d = try geodesic.distanceKm(p, q180)
            #expect(abs(d - vincentyDistanceKm(p, q180)) < 1e-5, "\(p) -> \(q180)")
        }
    }

    @Test func quarterMeridianReachesThePole() throws {
        // WGS84's quarter meridian is 10,001,965.729 m.
        let inverse = try geodesic.inverse(from: Coordinate(30, 0), to: Coordinate(30, 90))
        #expect(abs(inverse.distanceKm - 10_001.965729) < 1e-6)
        #expect(abs(inverse.azimuth1) < 1e-9)
        let (pole, _) = try geodesic.direct(from: Coordinate(30, 0), azimuth: 0, distanceKm: 10_001.965729)
        #expect(abs(pole.y - 90) < 1e-8)
        // One degree of longitude on the equator is a * pi / 180.
        let east = try geodesic.inverse(from: Coordinate(0, 0), to: Coordinate(1, 0))
        #expect(abs(east.distanceKm - 6378.137 * Double.pi / 180) < 1e-9)
        #expect(abs(east.azimuth1 - 90) < 1e-9)
    }

    @Test func directInvertsInverse() throws {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let start = Coordinate(random.uniform(60, 78), random.uniform(23, 37))
            let azimuth = random.uniform(-180, 180)
            let distance = random.uniform(0.1, 800)
            let (end, _) = try geodesic.direct(from: start, azimuth: azimuth, distanceKm: distance)
            let back = try geodesic.inverse(from: start, to: end)
            #expect(abs(back.distanceKm - distance) < 1e-8)
            #expect(abs(vincentyDistanceKm(start, end) - distance) < 1e-5)
        }
    }

    @Test func areaOfALatitudeBandMatchesTheAuthalicFormula() throws {
        // The area between two parallels over a longitude span on the ellipsoid is
        // (b^2 / 2) * dLambda * [q(phi2) - q(phi1)], q(phi) = sin/(1 - e^2 sin^2) + atanh(e sin)/e.
        let a = 6378.137, f = 1 / 298.257223563
        let b = a * (1 - f), e = (f * (2 - f)).squareRoot()
        func q(_ degrees: Double) -> Double {
            let s = sin(degrees * .pi / 180)
            return s / (1 - e * e * s * s) + atanh(e * s) / e
        }
        let (west, east, south, north) = (66.0, 67.0, 24.0, 25.0)
        let expected = b * b / 2 * ((east - west) * .pi / 180) * (q(north) - q(south))
        // Edges along parallels, densified so each geodesic piece hugs its parallel.
        let steps = 2_000
        let bottom = (0...steps).map { Coordinate(west + (east - west) * Double($0) / Double(steps), south) }
        let top = bottom.reversed().map { Coordinate($0.x, north) }
        let ring = bottom + top + [bottom[0]]
        let area = try geodesic.areaKm2(of: [ring])
        #expect(abs(area - expected) / expected < 1e-6)
        // Orientation does not change the area; a hole subtracts.
        #expect(abs(try geodesic.areaKm2(of: [ring.reversed()]) - area) < 1e-6)
        let hole = [Coordinate(66.4, 24.4), Coordinate(66.6, 24.4), Coordinate(66.6, 24.6), Coordinate(66.4, 24.6), Coordinate(66.4, 24.4)]
        #expect(try geodesic.areaKm2(of: [ring, hole]) < area)
    }

    @Test func densifyKeepsLengthAndBoundsPieces() throws {
        let line = [karachi, Coordinate(64.5, 25.3), gwadar]
        let dense = try geodesic.densify(line, maxSegmentKm: 1)
        let pieces = zip(dense, dense.dropFirst()).map { vincentyDistanceKm($0.0, $0.1) }
        #expect(pieces.allSatisfy { $0 <= 1 + 1e-9 })
        #expect(abs(pieces.reduce(0, +) - (try geodesic.lengthKm(of: line))) < 1e-6)
    }

    @Test func widenedEnvelopesHoldEveryPointWithinTheDistance() throws {
        var random = SplitMix64(seed: 21)
        for _ in 0..<300 {
            let a = Coordinate(random.uniform(60, 78), random.uniform(-70, 70))
            let b = Coordinate(a.x + random.uniform(-0.5, 0.5), a.y + random.uniform(-0.5, 0.5))
            let km = random.uniform(1, 80)
            let box = Envelope(covering: [a, b])!.widened(byKm: km)
            for corner in [a, b] {
                for azimuth in stride(from: 0.0, to: 360, by: 15) {
                    let reached = try geodesic.direct(from: corner, azimuth: azimuth, distanceKm: km).position
                    #expect(box.contains(reached), "\(reached) from \(corner), \(km) km")
                }
            }
            // And it is not much wider than asked: under 3 % more in latitude.
            #expect((box.maxY - max(a.y, b.y)) * 110.6 < km * 1.03)
        }
    }

    @Test func kmMarksFollowThePartsAndSkipTheGaps() throws {
        let g = Geodesic.wgs84
        // Along a meridian the point at a km mark keeps the longitude, and Vincenty's distance
        // from the start is the mark.
        let meridian = [[Coordinate(70, 30), Coordinate(70, 30.6), Coordinate(70, 31.5)]]
        for km in [0.0, 12.5, 66.4, 150] {
            let p = try g.position(along: meridian, atKm: km)
            #expect(abs(p.x - 70) < 1e-12)
            #expect(abs(vincentyDistanceKm(Coordinate(70, 30), p) - km) < 1e-6)
        }
        // A second part starts its marks where the first ended; the gap counts for nothing.
        let first = vincentyDistanceKm(Coordinate(70, 30), Coordinate(70, 30.5))
        let parts = [[Coordinate(70, 30), Coordinate(70, 30.5)], [Coordinate(72, 30), Coordinate(72, 31)]]
        let p = try g.position(along: parts, atKm: first + 20)
        #expect(abs(p.x - 72) < 1e-12)
        #expect(abs(vincentyDistanceKm(Coordinate(72, 30), p) - 20) < 1e-6)
        // Marks outside the line give its ends.
        #expect(try g.position(along: parts, atKm: -3) == Coordinate(70, 30))
        #expect(try g.position(along: parts, atKm: 1e6) == Coordinate(72, 31))
        #expect(throws: GeoError.self) { _ = try g.position(along: [], atKm: 1) }
    }

    @Test func outOfRangeCoordinatesAreErrors() {
        #expect(throws: GeoError.self) { _ = try geodesic.distanceKm(Coordinate(0, 91), Coordinate(0, 0)) }
        #expect(throws: GeoError.self) { _ = try geodesic.distanceKm(Coordinate(181, 0), Coordinate(0, 0)) }
        #expect(throws: GeoError.self) { _ = try geodesic.lengthKm(of: [Coordinate(0, 0), Coordinate(.infinity, 0)]) }
        #expect(throws: GeoError.self) { _ = try geodesic.direct(from: Coordinate(0, -95), azimuth: 0, distanceKm: 1) }
    }
}

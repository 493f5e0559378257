import Foundation
import Testing
@testable import Geo

@Suite struct GeometryTests {
    let context: GeometryContext
    init() throws { context = try GeometryContext() }

    func wkt(_ text: String) throws -> Geometry { try Geometry(wkt: text, in: context) }

    @Test func wktRoundTripKeepsEveryType() throws {
        let samples = [
            "POINT (1.5 -2.25)",
            "LINESTRING (0 0, 1 1, 2 0)",
            "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1))",
            "MULTIPOINT (0 0, 1 1)",  // GEOS 3.11 writes multipoints without inner parentheses
            "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))",
            "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 1, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5)))",
            "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 3 4))",
        ]
        for sample in samples {
            let geometry = try wkt(sample)
            #expect(try geometry.wkt() == sample)
            // WKB and the value shape carry the same geometry.
            let fromWKB = try Geometry(wkb: try geometry.wkb(), in: context)
            #expect(try fromWKB.wkt() == sample)
            #expect(try Geometry(try geometry.shape(), in: context).wkt() == sample)
        }
    }

    @Test func geoJSONRoundTripForAllSevenTypes() throws {
        let objects = [
            #"{"type":"Point","coordinates":[67.0011,24.8607]}"#,
            #"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#,
            #"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#,
            #"{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}"#,
            #"{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}"#,
            #"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}"#,
            #"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[3,4]]}]}"#,
        ]
        for object in objects {
            let geometry = try Geometry(geoJSON: object, in: context)
            #expect(try geometry.geoJSON() == object)
        }
        let polygon = try Geometry(geoJSON: objects[4], in: context)
        #expect(try polygon.area() == 16 - 1)
    }

    @Test func badGeoJSONNamesWhereAndWhy() throws {
        let cases: [(String, String)] = [
            (#"{"type":"Feature","geometry":null}"#, "not a geometry type: \"Feature\""),
            (#"{"type":"LineString","coordinates":[[0,0]]}"#, "needs at least 2 positions"),
            (#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,2]]]}"#, "must end where it starts"),
            (#"{"type":"Point","coordinates":["a",1]}"#, "must hold numbers"),
            (#"{"type":"Point"}"#, "needs a member \"coordinates\""),
            (#"[1,2]"#, "expected a geometry object"),
            (#"{"type":"Point","coordinates":[1,2"#, "not JSON"),
        ]
        for (text, reason) in cases {
            do {
                _ = try Geometry(geoJSON: text, in: context)
                Issue.record("accepted \(text)")
            } catch let error as GeoError {
                #expect(error.description.contains(reason), "\(error) should say \(reason)")
            }
        }
    }

    @Test func invalidWKTBecomesAnErrorWithGEOSMessage() throws {
        #expect {
            _ = try wkt("LINESTRING (0 0")
        } throws: { error in
            guard case GeoError.geos(_, let message) = error else { return false }
            return message.contains("ParseException")
        }
        #expect(throws: GeoError.self) { _ = try wkt("POLYGON ((0 0, 1 1, 1 0))") }
        #expect(throws: GeoError.self) { _ = try Geometry(wkb: [1, 2, 3], in: context) }
    }

    @Test func structurallyImpossibleShapesAreRefusedBeforeGEOS() throws {
        #expect(throws: GeoError.self) { _ = try Geometry(.lineString([Coordinate(0, 0)]), in: context) }
        #expect(throws: GeoError.self) {
            _ = try Geometry(.polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1)]]), in: context)
        }
        #expect(throws: GeoError.self) { _ = try Geometry(.point(Coordinate(.nan, 0)), in: context) }
    }

    @Test func validityAndMakeValidRepairABowtie() throws {
        // Two triangles meeting at (1 1), each of area 1.
        let bowtie = try wkt("POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))")
        #expect(try !bowtie.isValid())
        #expect(try bowtie.validityReason().contains("Self-intersection"))
        let repaired = try bowtie.makeValid()
        #expect(try repaired.isValid())
        #expect(abs(try repaired.area() - 2) < 1e-12)
        #expect(try wkt("POINT (0 0)").isValid())
    }

    @Test func envelopeOfAGeometry() throws {
        let e = try wkt("LINESTRING (3 -1, -2 4, 5 2)").envelope()
        #expect(e == Envelope(minX: -2, minY: -1, maxX: 5, maxY: 4))
    }

    @Test func coversIntersectsContainsFollowPostGISSemantics() throws {
        let square = try wkt("POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))")
        let onEdge = try wkt("POINT (2 1)")
        let inside = try wkt("POINT (1 1)")
        let outside = try wkt("POINT (3 1)")
        let edge = try wkt("LINESTRING (2 0, 2 2)")
        #expect(try square.covers(onEdge))
        #expect(try !square.contains(onEdge))
        #expect(try square.contains(inside))
        #expect(try square.covers(edge))
        #expect(try !square.contains(edge))
        #expect(try square.intersects(onEdge))
        #expect(try !square.intersects(outside))
        let prepared = try square.prepared()
        for point in [onEdge, inside, outside, edge] {
            #expect(try prepared.covers(point) == square.covers(point))
            #expect(try prepared.contains(point) == square.contains(point))
            #expect(try prepared.intersects(point) == square.intersects(point))
        }
        #expect(try prepared.covers(Coordinate(2, 2)))
        #expect(try !prepared.covers(Coordinate(2.0001, 2)))
        #expect(try prepared.distance(to: outside) == 1)
    }

    @Test func intersectionsMatchHandComputedAnswers() throws {
        let line = try wkt("LINESTRING (0 0, 10 0)")
        let box = try wkt("POLYGON ((2 -1, 5 -1, 5 1, 2 1, 2 -1))")
        let clipped = try line.intersection(box)
        #expect(try clipped.length() == 3)
        #expect(try clipped.envelope() == Envelope(minX: 2, minY: 0, maxX: 5, maxY: 0))
        // Two unit squares offset by half: overlap is 0.5 x 1.
        let a = try wkt("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))")
        let b = try wkt("POLYGON ((0.5 0, 1.5 0, 1.5 1, 0.5 1, 0.5 0))")
        #expect(try a.intersection(b).area() == 0.5)
        // A line leaving and re-entering a U shape gives two pieces.
        let u = try wkt("POLYGON ((0 0, 3 0, 3 3, 2 3, 2 1, 1 1, 1 3, 0 3, 0 0))")
        let pieces = try wkt("LINESTRING (-1 2, 4 2)").intersection(u)
        #expect(try pieces.length() == 2)
        #expect(try pieces.shape().lineParts?.count == 2)
        #expect(try line.intersection(try wkt("POINT (20 20)")).isEmpty)
    }

    @Test func lengthAndDistanceArePlanar() throws {
        #expect(try wkt("LINESTRING (0 0, 3 4, 3 10)").length() == 11)
        #expect(try wkt("POINT (0 0)").distance(to: try wkt("LINESTRING (3 -1, 3 1)")) == 3)
        #expect(try wkt("POINT (0 0)").distance(to: try wkt("POINT (6 8)")) == 10)
    }

    @Test func densifyBoundsSegmentLength() throws {
        let dense = try wkt("LINESTRING (0 0, 10 0)").densified(maxSegmentLength: 3)
        // GEOS splits into the fewest equal pieces not longer than 3: four of 2.5.
        #expect(try dense.shape() == .lineString((0...4).map { Coordinate(Double($0) * 2.5, 0) }))
        #expect(throws: GeoError.self) { _ = try wkt("LINESTRING (0 0, 1 0)").densified(maxSegmentLength: 0) }
    }

    @Test func linearReferencingProjectsAndInterpolates() throws {
        let route = try wkt("LINESTRING (0 0, 10 0, 10 10)")
        #expect(try route.project(try wkt("POINT (3 5)")) == 3)
        #expect(try route.project(try wkt("POINT (12 4)")) == 14)
        #expect(try route.interpolate(atDistance: 7).shape() == .point(Coordinate(7, 0)))
        #expect(try route.interpolate(atDistance: 15).shape() == .point(Coordinate(10, 5)))
        #expect(try route.interpolate(atDistance: 99).shape() == .point(Coordinate(10, 10)))
    }

    @Test func simplifyDropsOnlyVerticesWithinTheTolerance() throws {
        let line = try wkt("LINESTRING (0 0, 1 0.004, 2 0.001, 3 0)")
        // Both middle vertices lie within 0.01 of the chord from (0 0) to (3 0).
        #expect(try line.simplifiedPreservingTopology(tolerance: 0.01).shape() == .lineString([Coordinate(0, 0), Coordinate(3, 0)]))
        // (1 0.004) lies 0.004 off that chord, so a tolerance of 0.0001 keeps everything.
        #expect(try line.simplifiedPreservingTopology(tolerance: 0.0001).shape() == line.shape())
        #expect(throws: GeoError.self) { _ = try line.simplifiedPreservingTopology(tolerance: -1) }
    }

    @Test func simplifyKeepsRingsFromCrossing() throws {
        // The bulge's tip, (5 13), lies 3 from the chord y = 10, within a tolerance of 4; but the
        // hole reaches from y = 9 to 12 across that chord, so dropping the tip (as plain
        // Douglas-Peucker does) would make the rings cross. The topology-preserving simplifier
        // keeps it. Area: the 10 x 10 square plus the bulge (base 10, height 3: 15) minus the hole
        // (base 2, height 3: 3).
        let polygon = try wkt("POLYGON ((0 0, 10 0, 10 10, 5 13, 0 10, 0 0), (4 9, 6 9, 5 12, 4 9))")
        let simple = try polygon.simplifiedPreservingTopology(tolerance: 4)
        #expect(try simple.isValid())
        #expect(try simple.area() == 100 + 15 - 3)
        #expect(try simple.shape().polygons?.first?.count == 2)
    }

    @Test func pointOnSurfaceLiesInsideAConcaveShape() throws {
        // A U whose centroid (x = 5) lies in the notch, outside the shape.
        let u = try wkt("POLYGON ((0 0, 10 0, 10 10, 8 10, 8 2, 2 2, 2 10, 0 10, 0 0))")
        let label = try u.pointOnSurface()
        #expect(try u.covers(label))
        #expect(try !u.covers(try wkt("POINT (5 6)")))
    }

    @Test func geosNoticesAndErrorsStayWithTheirContext() throws {
        let other = try GeometryContext()
        _ = try? Geometry(wkt: "NOT WKT", in: other)
        // A failure in one context leaves no stale error in another.
        #expect(try wkt("POINT (1 1)").isValid())
    }
}

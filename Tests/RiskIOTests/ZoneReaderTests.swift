import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

@Suite struct ZoneReaderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    static let square = "[[[66,24],[68,24],[68,26],[66,26],[66,24]]]"

    func feature(_ properties: String, geometry: String = #"{"type":"Polygon","coordinates":\#(square)}"#) -> String {
        #"{"type":"Feature","properties":\#(properties),"geometry":\#(geometry)}"#
    }

    func collection(_ features: [String]) -> String {
        #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ",\n"))]}"#
    }

    @Test func readsZonesWithDefaults() throws {
        let url = try dir.write("zones.geojson", collection([
            feature(#"{"id":"PK-SD","name":"Sindh","kind":"province","base":0.5,"multiplier":1.5}"#),
            feature(#"{"id":7}"#, geometry: #"{"type":"MultiPolygon","coordinates":[\#(Self.square),[[[70,30],[71,30],[71,31],[70,30]]]]}"#),
        ]))
        let result = try ZoneReader().read(contentsOf: url)
        #expect(result.warnings.isEmpty)
        let square: [[Coordinate]] = [[Coordinate(66, 24), Coordinate(68, 24), Coordinate(68, 26), Coordinate(66, 26), Coordinate(66, 24)]]
        #expect(result.items == [
            Zone(id: "PK-SD", name: "Sindh", kind: "province", base: 0.5, multiplier: 1.5, shape: .polygon(square)),
            Zone(id: "7", name: "7", kind: "zone", base: 0, multiplier: 1,
                 shape: .multiPolygon([square, [[Coordinate(70, 30), Coordinate(71, 30), Coordinate(71, 31), Coordinate(70, 30)]]])),
        ])
    }

    @Test func badFeaturesNameTheField() throws {
        let url = try dir.write("zones.geojson", collection([
            feature(#"{"kind":"no id and no name"}"#),
            feature(#"{"id":"a","base":-1}"#),
            feature(#"{"id":"b","multiplier":0}"#),
            feature(#"{"id":"c","base":"high"}"#),
            feature(#"{"id":"d"}"#, geometry: #"{"type":"Point","coordinates":[1,2]}"#),
            feature(#"{"id":"e"}"#, geometry: #"{"type":"Polygon","coordinates":[[[66,24],[191,24],[68,26],[66,24]]]}"#),
            feature(#"{"id":"ok"}"#),
            feature(#"{"id":"ok"}"#),
            feature(#"{"id":"f","multiplier":true}"#),
            feature(#"{"id":"g"}"#, geometry: "null"),
            feature(#"{"id":"h","name":[5]}"#),
            feature(#"{"id":"i","name":1234,"kind":"district"}"#),
            #"{"type":"Feature","id":"top","properties":null,"geometry":{"type":"Polygon","coordinates":\#(Self.square)}}"#,
        ]))
        let result = try ZoneReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["ok", "i", "top"])
        #expect(result.items[1].name == "1234")
        #expect(result.warnings.map(\.location) == (1...11).filter { $0 != 7 }.map { "feature \($0)" })
        #expect(result.warnings.map(\.field) == ["id", "base", "multiplier", "base", "geometry", "geometry", "id",
                                                 "multiplier", "geometry", "name"])
        #expect(result.warnings[1].reason == "must be >= 0, got -1")
        #expect(result.warnings[4].reason.contains("got Point"))
        #expect(result.warnings[5].reason.contains("longitude"))
        #expect(result.warnings[6].reason.contains("first at feature 7"))
    }

    @Test func aZoneWithOnlyANameTakesItAsItsId() throws {
        let url = try dir.write("named.geojson", collection([feature(#"{"name":"Sindh","kind":"province"}"#)]))
        let result = try ZoneReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["Sindh"])
        #expect(result.warnings.isEmpty)
    }

    @Test func strictStopsAtTheFirstBadFeature() throws {
        let url = try dir.write("zones.geojson", collection([feature(#"{"id":"a"}"#), feature(#"{"id":"b","multiplier":-2}"#)]))
        let error = inputError { try ZoneReader(strict: true).read(contentsOf: url) }
        #expect(error?.diagnostics.map(\.location) == ["feature 2"])
        #expect(error?.diagnostics.first?.field == "multiplier")
    }

    /// Issue 10 item 9: a whole-world zone made the working projection a degenerate conic and
    /// every route failed with PROJ's raw "Invalid value"; a zone reaching a pole is now refused
    /// by feature, and the rest are read.
    @Test func aZoneReachingAPoleIsRefusedByName() throws {
        let world = #"{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,90],[-180,-90]]]}"#
        let url = try dir.write("zones.geojson", collection([feature(#"{"id":"world","base":0.1}"#, geometry: world), feature(#"{"id":"ok"}"#)]))
        let result = try ZoneReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["ok"])
        #expect(result.warnings.map(\.location) == ["feature 1"])
        #expect(result.warnings.first?.field == "geometry")
        #expect(result.warnings.first?.reason == "reaches latitude -90 is beyond 85 degrees north or south, where RouteRisk's working "
            + "projection cannot measure distances (it cannot hold the poles)")
    }

    /// Rings of known self-intersections, counted by hand: a square none, a bow tie one, a
    /// pentagram {5/2} five (each edge crosses the two it does not touch), a hole crossing its
    /// shell twice.
    @Test func selfIntersectionsAreCountedUpToTheCap() {
        func ring(_ points: [(Double, Double)]) -> [Coordinate] { (points + [points[0]]).map { Coordinate($0.0, $0.1) } }
        #expect(ZoneReader.selfIntersections(.polygon([ring([(0, 0), (2, 0), (2, 2), (0, 2)])]), upTo: 10) == 0)
        #expect(ZoneReader.selfIntersections(.polygon([ring([(0, 0), (2, 2), (2, 0), (0, 2)])]), upTo: 10) == 1)
        let pentagram = (0..<5).map { k -> (Double, Double) in
            let angle = Double(2 * k % 5) * 2 * .pi / 5
            return (cos(angle), sin(angle))
        }
        #expect(ZoneReader.selfIntersections(.polygon([ring(pentagram)]), upTo: 10) == 5)
        #expect(ZoneReader.selfIntersections(.polygon([ring(pentagram)]), upTo: 3) == 4)
        let shellAndHole = Shape.polygon([ring([(0, 0), (4, 0), (4, 4), (0, 4)]), ring([(1, 1), (5, 1), (5, 2), (1, 2)])])
        #expect(ZoneReader.selfIntersections(shellAndHole, upTo: 10) == 2)
    }

    /// The repair's time grows with the crossings, not the vertices: a 141-vertex star of about
    /// 9,700 crossings took 67 s and a 500-vertex one over 7 minutes. At the limits (10,000
    /// vertices, 900 crossings) reading both zones below took 4.5 s (debug build, with a fuzzer
    /// and other builds on this 2-core machine; GEOS is the system's optimised library); past the
    /// crossing limit the star of 10,000 vertices is refused by name after counting.
    @Test func repairOfACraftedZoneAtTheLimitsIsBounded() throws {
        // A zigzag of 9,996 vertices between latitudes 24 and 26, closed over the top and back
        // through it by one diagonal that crosses (0.54 / 2) / 0.0003 = 900 of its edges.
        var zigzag = (0..<9_996).map { Coordinate(66 + Double($0) * 0.0003, $0 % 2 == 0 ? 24 : 26) }
        let east = zigzag[zigzag.count - 1].x
        zigzag += [Coordinate(east, 27), Coordinate(66, 27), Coordinate(66.54, 23), zigzag[0]]
        #expect(zigzag.count == Limits.repairedVertices)
        let crossings = ZoneReader.selfIntersections(.polygon([zigzag]), upTo: Limits.repairedCrossings)
        #expect(abs(crossings - 900) <= 2 && crossings <= Limits.repairedCrossings, "\(crossings)")

        // A star {n/k} whose every edge crosses most others: far past the crossing limit.
        let n = Limits.repairedVertices - 1, k = n / 2 - 1
        let star = (0...n).map { i in Coordinate(67 + cos(2 * .pi * Double(i * k % n) / Double(n)), 25 + sin(2 * .pi * Double(i * k % n) / Double(n))) }

        func json(_ ring: [Coordinate]) -> String {
            #"{"type":"Polygon","coordinates":[[\#(ring.map { "[\($0.x),\($0.y)]" }.joined(separator: ","))]]}"#
        }
        let url = try dir.write("crafted.geojson", collection([feature(#"{"id":"zigzag"}"#, geometry: json(zigzag)),
                                                               feature(#"{"id":"star"}"#, geometry: json(star))]))
        let started = ContinuousClock.now
        let result = try ZoneReader().read(contentsOf: url)
        let elapsed = ContinuousClock.now - started
        #expect(result.items.map(\.id) == ["zigzag"])
        #expect(result.warnings.map(\.location) == ["feature 1", "feature 2"])
        #expect(result.warnings.first?.reason.hasSuffix("repaired with makeValid") == true)
        #expect(result.warnings.last?.reason.contains("with more than 1000 self-intersections; only invalid polygons of up to 1000 "
            + "self-intersections are repaired") == true, "\(result.warnings)")
        #expect(elapsed < .seconds(30), "\(elapsed)")
        print("repair of a crafted zone at the limits: \(elapsed)")
    }

    @Test func invalidPolygonIsRepairedWithAWarning() throws {
        // A bow tie: the ring crosses itself at (67, 25).
        let bowTie = #"{"type":"Polygon","coordinates":[[[66,24],[68,26],[68,24],[66,26],[66,24]]]}"#
        let url = try dir.write("zones.geojson", collection([feature(#"{"id":"bow"}"#, geometry: bowTie)]))
        for strict in [false, true] {
            let result = try ZoneReader(strict: strict).read(contentsOf: url)
            let zone = try #require(result.items.first)
            #expect(result.warnings.count == 1)
            #expect(result.warnings.first?.location == "feature 1")
            #expect(result.warnings.first?.reason.contains("Self-intersection") == true)
            let context = try GeometryContext()
            let repaired = try Geometry(zone.shape, in: context)
            #expect(try repaired.isValid())
            #expect(zone.shape.polygons?.count == 2)
            // Two triangles of base 2 and height 1 each.
            #expect(abs(try repaired.area() - 2) < 1e-9)
        }
    }

    @Test func repairKeepsOnlyThePolygonalPart() throws {
        let triangle: [[Coordinate]] = [[Coordinate(0, 0), Coordinate(1, 0), Coordinate(0, 1), Coordinate(0, 0)]]
        let mixed = Shape.geometryCollection([.polygon(triangle), .lineString([Coordinate(1, 0), Coordinate(3, 0)]),
                                              .point(Coordinate(5, 5)), .multiPolygon([triangle])])
        #expect(ZoneReader.polygonalPart(mixed) == .multiPolygon([triangle, triangle]))
        #expect(ZoneReader.polygonalPart(.geometryCollection([.point(Coordinate(0, 0))])) == nil)

        // A square with a spike: GEOS's repair may return the spike as a line beside the polygon.
        let spike = #"{"type":"Polygon","coordinates":[[[66,24],[68,24],[68,25],[69,25],[68,25],[68,26],[66,26],[66,24]]]}"#
        let url = try dir.write("spike.geojson", collection([feature(#"{"id":"s"}"#, geometry: spike)]))
        let result = try ZoneReader().read(contentsOf: url)
        let shape = try #require(result.items.first?.shape)
        #expect(shape.polygons != nil)
        #expect(!shape.coordinates.contains(Coordinate(69, 25)))
        #expect(abs(try Geometry(shape, in: GeometryContext()).area() - 4) < 1e-9)
    }

    @Test func collapsedPolygonIsABadFeature() throws {
        let flat = #"{"type":"Polygon","coordinates":[[[66,24],[68,24],[67,24],[66,24]]]}"#
        let url = try dir.write("flat.geojson", collection([feature(#"{"id":"flat"}"#, geometry: flat)]))
        let result = try ZoneReader().read(contentsOf: url)
        #expect(result.items.isEmpty)
        #expect(result.warnings.first?.reason.contains("no area") == true)
    }

    @Test func wrongTopLevelIsFatal() throws {
        let url = try dir.write("z.geojson", #"{"type":"Topology","objects":{}}"#)
        #expect(inputError { try ZoneReader().read(contentsOf: url) }?.description.contains("\"Topology\"") == true)
        let noFeatures = try dir.write("y.geojson", #"{"type":"FeatureCollection"}"#)
        #expect(inputError { try ZoneReader().read(contentsOf: noFeatures) } != nil)
    }

    static let sharedAdmin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/admin")
    static let sharedAdminExists = FileManager.default.fileExists(atPath: sharedAdmin.path)

    @Test(.enabled(if: sharedAdminExists, "skipped: ../shared/data/admin is not present next to the package"))
    func realProvincesAndDistrictsLoadWithTheirNamesAsIds() throws {
        let provinces = try ZoneReader().read(contentsOf: Self.sharedAdmin.appendingPathComponent("pak_provinces_osm_2023.geojson"))
        #expect(provinces.items.count == 7)
        #expect(provinces.warnings.isEmpty, "\(provinces.warnings)")
        #expect(Set(provinces.items.map(\.id)).contains("Khyber Pakhtunkhwa"))
        #expect(provinces.items.first { $0.id == "Sindh" }?.kind == "province")
        let districts = try ZoneReader().read(contentsOf: Self.sharedAdmin.appendingPathComponent("pak_districts_osm_2023.geojson"))
        print("shared districts: \(districts.items.count) loaded, \(districts.warnings.count) warnings")
        #expect(districts.items.count + districts.warnings.filter { $0.field == "id" }.count == 156)
    }
}

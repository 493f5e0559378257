import Foundation
import Geo
import RiskCore
import TestSupport
import Testing
@testable import RiskIO

/// GeoPackage line layers (issue 11), in files written here as GDAL writes them.
@Suite struct GeoPackageRouteReaderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    typealias B = GPKGBlob

    func package(_ name: String = "routes.gpkg") throws -> GeoPackageWriter {
        try GeoPackageWriter(dir.url.appendingPathComponent(name))
    }

    func read(_ name: String = "routes.gpkg", strict: Bool = false) throws -> ReadResult<Route> {
        try RouteReader(strict: strict).read(contentsOf: dir.url.appendingPathComponent(name))
    }

    @Test func readsLineLayersInBothByteOrdersWithTheirIDsAndNames() throws {
        let gpkg = try package()
        try gpkg.addLayer("roads", type: "LINESTRING", srsID: 4326, columns: [("id", "TEXT"), ("Name", "TEXT")], rtree: true)
        // Little-endian header and WKB, with an envelope, as GDAL writes on x86.
        try gpkg.insert("roads", ["geom", "id", "Name"], [
            B.geometry(B.lineString([(67.0, 24.8), (67.1, 24.85), (67.1, 24.85), (67.2, 24.9)], bigEndian: false),
                       envelope: [67.0, 67.2, 24.8, 24.9]),
            "airport-port", "Airport to Port",
        ])
        // Big-endian header and WKB; a numeric id; a blank name is no name.
        try gpkg.insert("roads", ["geom", "id", "Name"], [
            B.geometry(B.lineString([(73.0, 33.6), (73.1, 33.7)], bigEndian: true), headerBigEndian: true), 12, "  ",
        ])
        // Mixed: a big-endian header over little-endian WKB; ISO Z (1002) whose heights are dropped.
        try gpkg.insert("roads", ["geom", "id"], [
            B.geometry(B.lineString([(70.0, 30.0), (70.5, 30.5)], bigEndian: false, type: 1002, extra: [1500]), headerBigEndian: true),
            "z-line",
        ])
        let result = try read()
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        #expect(result.items == [
            Route(id: "airport-port", name: "Airport to Port",
                  shape: .lineString([Coordinate(67.0, 24.8), Coordinate(67.1, 24.85), Coordinate(67.2, 24.9)])),
            Route(id: "12", shape: .lineString([Coordinate(73.0, 33.6), Coordinate(73.1, 33.7)])),
            Route(id: "z-line", shape: .lineString([Coordinate(70.0, 30.0), Coordinate(70.5, 30.5)])),
        ])
    }

    @Test func multiLineStringsWithMAndZMDropThoseOrdinates() throws {
        let gpkg = try package()
        try gpkg.addLayer("tracks", type: "MULTILINESTRING", srsID: 4326)
        let parts = [B.lineString([(70, 30), (71, 31)], bigEndian: true, type: 2002, extra: [7]),
                     B.lineString([(72, 32), (73, 33)], bigEndian: false, type: 2002, extra: [8])]
        try gpkg.insert("tracks", ["geom"], [B.geometry(B.multiLineString(parts, bigEndian: false, type: 2005))])
        let zm = [B.lineString([(60, 25), (61, 26)], bigEndian: false, type: 3002, extra: [100, 5])]
        try gpkg.insert("tracks", ["geom"], [B.geometry(B.multiLineString(zm, bigEndian: true, type: 3005))])
        let result = try read()
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        // No id column: the file's name and the feature id.
        #expect(result.items == [
            Route(id: "routes-1", shape: .multiLineString([[Coordinate(70, 30), Coordinate(71, 31)], [Coordinate(72, 32), Coordinate(73, 33)]])),
            Route(id: "routes-2", shape: .multiLineString([[Coordinate(60, 25), Coordinate(61, 26)]])),
        ])
    }

    @Test func pointLayersArePassedOverAndAFileWithoutLinesIsAnError() throws {
        let gpkg = try package()
        try gpkg.addLayer("towns", type: "POINT", srsID: 4326, columns: [("name", "TEXT")])
        try gpkg.insert("towns", ["geom", "name"], [B.geometry(B.point(67, 24.8)), "Karachi"])
        let none = inputError { try read() }
        #expect(none?.description == "\(dir.url.path)/routes.gpkg: has no line layer (its layers: \"towns\" POINT); "
            + "routes are LINESTRING or MULTILINESTRING layers")

        try gpkg.addLayer("roads", type: "LINESTRING", srsID: 4326)
        try gpkg.insert("roads", ["geom"], [B.geometry(B.lineString([(67, 24.8), (68, 25)], bigEndian: false))])
        #expect(try read().items.map(\.id) == ["routes-1"])
    }

    @Test func severalLineLayersNumberTheirRoutesWithTheTableName() throws {
        let gpkg = try package("corridor.gpkg")
        for table in ["north", "south"] {
            try gpkg.addLayer(table, type: "LINESTRING", srsID: 4326)
            try gpkg.insert(table, ["geom"], [B.geometry(B.lineString([(67, 24.8), (68, 25)], bigEndian: false))])
        }
        #expect(try read("corridor.gpkg").items.map(\.id) == ["corridor-north-1", "corridor-south-1"])
    }

    /// UTM zone 43N (EPSG:32643): on its central meridian (75E) easting is 500,000 m and northing
    /// is 0.9996 times the meridian arc from the equator, so the points below are 75E at 30N and
    /// 31N. The arc is the standard series in e^2 (error far below a millimetre), written here.
    @Test func aProjectedLayerIsTransformedToLongitudeAndLatitude() throws {
        let a = 6_378_137.0, f = 1 / 298.257223563
        let e2 = f * (2 - f), e4 = e2 * e2, e6 = e4 * e2
        func meridianArc(_ degrees: Double) -> Double {
            let phi = degrees * .pi / 180
            return a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
                - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * sin(2 * phi)
                + (15 * e4 / 256 + 45 * e6 / 1024) * sin(4 * phi) - 35 * e6 / 3072 * sin(6 * phi))
        }
        let gpkg = try package()
        try gpkg.addUTM43N()
        try gpkg.addLayer("utm", type: "LINESTRING", srsID: 32643)
        let line = [(500_000.0, 0.9996 * meridianArc(30)), (500_000.0, 0.9996 * meridianArc(31))]
        try gpkg.insert("utm", ["geom"], [B.geometry(B.lineString(line, bigEndian: false), srsID: 32643)])
        let route = try #require(try read().items.first)
        let positions = route.shape.coordinates
        #expect(positions.count == 2)
        // 1e-8 degrees is about a millimetre.
        for (position, latitude) in zip(positions, [30.0, 31.0]) {
            #expect(abs(position.x - 75) < 1e-8 && abs(position.y - latitude) < 1e-8, "\(position)")
        }
    }

    @Test func anUndefinedOrUnknownCRSIsAnErrorNamingTheTable() throws {
        let gpkg = try package()
        try gpkg.addLayer("cad", type: "LINESTRING", srsID: -1)
        let error = inputError { try read() }
        #expect(error?.diagnostics.first?.location == "table \"cad\"")
        #expect(error?.diagnostics.first?.field == "srs_id")
        #expect(error?.diagnostics.first?.reason.hasPrefix("is -1 (undefined Cartesian coordinates)") == true)

        let other = try package("other.gpkg")
        try other.addLayer("roads", type: "LINESTRING", srsID: 999)
        #expect(inputError { try read("other.gpkg") }?.diagnostics.first?.reason == "is 999, which gpkg_spatial_ref_sys does not define")
    }

    @Test func badFeaturesAreNamedByTableAndFid() throws {
        let gpkg = try package()
        try gpkg.addLayer("roads", type: "GEOMETRY", srsID: 4326, columns: [("id", "TEXT")])
        let good = B.lineString([(67, 24.8), (68, 25)], bigEndian: false)
        let rows: [[UInt8]?] = [
            B.geometry(good, empty: true),                                          // 1: GDAL's empty flag
            B.geometry(B.lineString([], bigEndian: true)),                          // 2: no points
            Array("POINT(1 2)".utf8),                                               // 3: not a GeoPackage blob
            B.geometry(good, version: 1),                                           // 4: unknown version
            Array(B.geometry(good).prefix(20)),                                     // 5: WKB cut short
            B.geometry(B.lineString([], bigEndian: false).prefix(5) + B.uint32(0x7FFF_FFFF, bigEndian: false) + B.double(67, bigEndian: false)),  // 6: a huge count
            B.geometry(B.point(67, 24.8)),                                          // 7: a point in a generic layer
            B.geometry(good, srsID: 32643),                                         // 8: not the layer's srs_id
            nil,                                                                    // 9: NULL
            B.geometry(B.lineString([(67, 24.8), (67, 95)], bigEndian: false)),     // 10: latitude out of range
            B.geometry(good),                                                       // 11: fine
        ]
        for geometry in rows { try gpkg.insert("roads", ["geom"], [geometry]) }
        try gpkg.insert("roads", ["geom", "id"], [B.geometry(good), [UInt8](repeating: 1, count: 3)])  // 12: a blob id

        let result = try read()
        #expect(result.items.map(\.id) == ["routes-11"])
        #expect(result.warnings.map(\.location) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12].map { "table \"roads\" fid \($0)" })
        #expect(result.warnings.map(\.field) == Array(repeating: "geometry", count: 10) + ["id"])
        let reasons = result.warnings.map(\.reason)
        #expect(reasons[0] == "is empty" && reasons[1] == "is empty")
        #expect(reasons[2] == "does not start with the GeoPackage magic \"GP\" (bytes 50 4F)")
        #expect(reasons[3] == "has GeoPackage binary version 1; only version 0 (1.x) is read")
        #expect(reasons[4].hasPrefix("is not valid WKB after its GeoPackage header"))
        #expect(reasons[5].hasPrefix("is not valid WKB after its GeoPackage header"))
        #expect(reasons[6] == "must be a LineString or MultiLineString, got Point")
        #expect(reasons[7] == "has srs_id 32643, but its layer's is 4326")
        #expect(reasons[8] == "is missing (NULL)")
        #expect(reasons[9].contains("latitude"))
        #expect(reasons[10] == "must be text or a number, got a blob of 3 bytes")

        let strict = inputError { try read(strict: true) }
        #expect(strict?.description == "\(dir.url.path)/routes.gpkg: table \"roads\" fid 1: field \"geometry\": is empty")
    }

    @Test func aFileThatIsNotAGeoPackageIsAnErrorNotACrash() throws {
        _ = try dir.write("text.gpkg", "{\"type\": \"FeatureCollection\"}")
        let text = inputError { try read("text.gpkg") }
        #expect(text?.description.hasPrefix("\(dir.url.path)/text.gpkg: cannot read its tables gpkg_contents") == true, "\(String(describing: text))")
        #expect(text?.description.contains("file is not a database") == true)

        // An SQLite file of other tables (a routerisk store, say).
        let other = try GeoPackageWriter(dir.url.appendingPathComponent("plain.gpkg"))
        try other.exec("DROP TABLE gpkg_geometry_columns")
        #expect(inputError { try read("plain.gpkg") }?.description.contains("no such table: gpkg_geometry_columns") == true)

        // A missing file, and the first 3 kB of a real one (SQLite's header, pages cut off).
        #expect(inputError { try read("missing.gpkg") }?.description.contains("cannot open as a GeoPackage") == true)
        let gpkg = try package()
        try gpkg.addLayer("roads", type: "LINESTRING", srsID: 4326)
        let bytes = try Data(contentsOf: dir.url.appendingPathComponent("routes.gpkg"))
        #expect(inputError { try RouteReader().readEach([.data(bytes.prefix(3000), name: "cut")]) } != nil)
    }

    /// Opened read-only: reading changes neither the file nor its folder (no journal, no WAL).
    @Test func readingWritesNothing() throws {
        let gpkg = try package()
        try gpkg.addLayer("roads", type: "LINESTRING", srsID: 4326)
        try gpkg.insert("roads", ["geom"], [B.geometry(B.lineString([(67, 24.8), (68, 25)], bigEndian: false))])
        let url = dir.url.appendingPathComponent("routes.gpkg")
        let before = try Data(contentsOf: url)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: url.path)
        #expect(try read().items.count == 1)
        #expect(try Data(contentsOf: url) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == listing)
    }

    /// Bytes from standard input or an upload: recognised by SQLite's header, whatever the name.
    @Test func bytesInMemoryAreRecognisedByTheirHeader() throws {
        let gpkg = try package()
        try gpkg.addLayer("roads", type: "LINESTRING", srsID: 4326, columns: [("name", "TEXT"), ("departs_at", "TEXT")])
        try gpkg.insert("roads", ["geom", "name", "departs_at"],
                        [B.geometry(B.lineString([(67, 24.8), (68, 25)], bigEndian: false)), "M-9", "2025-06-10T03:00:00Z"])
        let bytes = try Data(contentsOf: dir.url.appendingPathComponent("routes.gpkg"))
        let routes = try RouteReader().readEach([.data(bytes, name: "stdin")])[0]
        // 2025-06-10T03:00:00Z is 1,749,524,400 s (date -u -d 2025-06-10T03:00:00Z +%s).
        #expect(routes.items == [Route(id: "stdin-1", name: "M-9", departsAt: epoch(1_749_524_400),
                                       shape: .lineString([Coordinate(67, 24.8), Coordinate(68, 25)]))])
    }
}

import Foundation
import TestSupport
import Testing

/// `score` reads KML, GPX and GeoPackage routes as it reads GeoJSON.
@Suite struct RouteFormatsTests {
    @Test func scoreRanksKMLAndGPXRoutesByName() throws {
        let scratch = try Scratch()
        try scratch.write("planned.kml", """
            <?xml version="1.0" encoding="UTF-8"?>
            <kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Karachi to Thatta</name>
            <LineString><tessellate>1</tessellate><coordinates>67.0011,24.8607,0 67.92,24.75,0</coordinates></LineString>
            </Placemark></Document></kml>
            """)
        try scratch.write("driven.gpx", """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="test"><trk><name>Log</name><trkseg>
            <trkpt lat="24.8607" lon="67.0011"/><trkpt lat="24.75" lon="67.92"/></trkseg></trk></gpx>
            """)
        let run = try scratch.routerisk(["score", "planned.kml", "driven.gpx", "--as-of", "2025-06-01T00:00:00Z", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        let routes = try decode(ScoreOutput.self, run).routes
        #expect(Set(routes.map(\.id)) == ["planned-1", "driven-1"])
        // The same line from both files: the same length, the geodesic one computed here.
        let expected = Vincenty.distanceKm(LonLat(67.0011, 24.8607), LonLat(67.92, 24.75))
        for route in routes { #expect(relativeDifference(route.lengthKm, expected) < 1e-5, "\(route.id) \(route.lengthKm) vs \(expected)") }
        let named = try scratch.routerisk(["score", "planned.kml", "--as-of", "2025-06-01T00:00:00Z", "--format", "csv"])
        #expect(named.stdout.contains("planned-1,Karachi to Thatta,"), "\(named.stdout)")
    }

    /// A GeoPackage line layer (issue 11), by its extension and, piped, by its content.
    @Test func scoreReadsAGeoPackageLineLayer() throws {
        let scratch = try Scratch()
        let gpkg = try GeoPackageWriter(scratch.url.appendingPathComponent("planned.gpkg"))
        try gpkg.addLayer("planned", type: "LINESTRING", srsID: 4326, columns: [("name", "TEXT")], rtree: true)
        try gpkg.insert("planned", ["geom", "name"], [
            GPKGBlob.geometry(GPKGBlob.lineString([(67.0011, 24.8607), (67.92, 24.75)], bigEndian: false)), "Karachi to Thatta",
        ])
        let run = try scratch.routerisk(["score", "planned.gpkg", "--as-of", "2025-06-01T00:00:00Z", "--format", "csv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\n1,planned-1,Karachi to Thatta,"), "\(run.stdout)")
        let json = try scratch.routerisk(["score", "planned.gpkg", "--as-of", "2025-06-01T00:00:00Z", "--format", "json"])
        let length = try #require(try decode(ScoreOutput.self, json).routes.first?.lengthKm)
        #expect(relativeDifference(length, Vincenty.distanceKm(LonLat(67.0011, 24.8607), LonLat(67.92, 24.75))) < 1e-5)

        let piped = try RouteRiskCommand.run(["-c", "cat planned.gpkg | \"$routerisk\" score - --as-of 2025-06-01T00:00:00Z --format csv"],
                                             in: scratch.url, environment: ["routerisk": RouteRiskCommand.executable.path],
                                             program: URL(fileURLWithPath: "/bin/sh"))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("\n1,stdin-1,Karachi to Thatta,"), "\(piped.stdout)")

        // Not a GeoPackage: an error naming the file, exit status 1.
        try scratch.write("broken.gpkg", "not a database")
        let broken = try scratch.routerisk(["score", "broken.gpkg", "--as-of", "2025-06-01T00:00:00Z"])
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("routerisk: error: broken.gpkg: cannot read its tables gpkg_contents"), "\(broken.stderr)")
    }
}

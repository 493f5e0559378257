import Foundation
import Testing

/// `score` reads KML and GPX routes as it reads GeoJSON.
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
}

import Foundation
import Geo
import Testing
@testable import RiskCore
@testable import RiskIO

/// KML and GPX routes, on files in the forms Google Earth and GPS units write.
@Suite struct XMLRouteReaderTests {
    /// As Google Earth saves a folder of placemarks: namespaces, styles, altitudes, tessellate.
    static let kml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
        <Document>
          <name>Convoy routes.kml</name>
          <Style id="red"><LineStyle><color>ff0000ff</color><width>4</width></LineStyle></Style>
          <Folder>
            <name>Sindh</name>
            <Placemark>
              <name>Karachi to Thatta</name>
              <styleUrl>#red</styleUrl>
              <LineString>
                <tessellate>1</tessellate>
                <coordinates>
                  67.0011,24.8607,0 67.45,24.77,0
                  67.92,24.75,0
                </coordinates>
              </LineString>
            </Placemark>
            <Placemark id="kkh">
              <name><![CDATA[Besham & Dasu]]></name>
              <MultiGeometry>
                <LineString><coordinates>72.92,34.93 73.2,35.27</coordinates></LineString>
                <LineString><coordinates>73.3,35.3 73.57,35.62</coordinates></LineString>
              </MultiGeometry>
            </Placemark>
            <Placemark><name>Camp</name><Point><coordinates>67.1,24.9,0</coordinates></Point></Placemark>
          </Folder>
        </Document>
        </kml>
        """

    /// As a GPS unit writes GPX 1.1: a track of two segments (signal lost between), and a route.
    static let gpx = """
        <?xml version="1.0" encoding="UTF-8" standalone="no" ?>
        <gpx xmlns="http://www.topografix.com/GPX/1/1" creator="eTrex 32x" version="1.1"
             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <metadata><time>2025-05-30T04:12:09Z</time></metadata>
          <trk>
            <name>ACTIVE LOG 2025-05-30</name>
            <trkseg>
              <trkpt lat="24.8607" lon="67.0011"><ele>12.4</ele><time>2025-05-30T04:12:09Z</time></trkpt>
              <trkpt lat="24.7700" lon="67.4500"><ele>20.1</ele></trkpt>
            </trkseg>
            <trkseg>
              <trkpt lat="24.7600" lon="67.6000"/>
              <trkpt lat="24.7500" lon="67.9200"/>
            </trkseg>
          </trk>
          <rte>
            <name>Gwadar-Turbat</name>
            <rtept lat="25.1216" lon="62.3254"><name>GWD</name></rtept>
            <rtept lat="26.0031" lon="63.0440"><name>TRB</name></rtept>
          </rte>
        </gpx>
        """

    @Test func googleEarthPlacemarksWithTheirNames() throws {
        let read = try RouteReader().parse(Self.kml, file: "convoys.kml")
        #expect(read.warnings.isEmpty, "\(read.warnings)")
        #expect(read.items.map(\.id) == ["convoys-1", "kkh"])
        #expect(read.items.map(\.name) == ["Karachi to Thatta", "Besham & Dasu"])
        #expect(read.items[0].shape == .lineString([Coordinate(67.0011, 24.8607), Coordinate(67.45, 24.77), Coordinate(67.92, 24.75)]))
        #expect(read.items[1].shape == .multiLineString([[Coordinate(72.92, 34.93), Coordinate(73.2, 35.27)],
                                                          [Coordinate(73.3, 35.3), Coordinate(73.57, 35.62)]]))
    }

    @Test func gpsTracksAndRoutes() throws {
        let read = try RouteReader().parse(Self.gpx, file: "etrex.gpx")
        #expect(read.warnings.isEmpty, "\(read.warnings)")
        #expect(read.items.map(\.id) == ["etrex-1", "etrex-2"])
        #expect(read.items.map(\.name) == ["ACTIVE LOG 2025-05-30", "Gwadar-Turbat"])
        #expect(read.items[0].shape == .multiLineString([[Coordinate(67.0011, 24.8607), Coordinate(67.45, 24.77)],
                                                          [Coordinate(67.6, 24.76), Coordinate(67.92, 24.75)]]))
        #expect(read.items[1].shape == .lineString([Coordinate(62.3254, 25.1216), Coordinate(63.044, 26.0031)]))
    }

    @Test func idLessFilesDoNotCollide() throws {
        let both = try RouteReader().readEach([.text(Self.gpx, name: "monday.gpx"), .text(Self.gpx, name: "tuesday.gpx")])
        #expect(both.flatMap(\.items).map(\.id) == ["monday-1", "monday-2", "tuesday-1", "tuesday-2"])
    }

    @Test func badFilesNameTheFileAndTheElement() throws {
        let badCoordinate = Self.kml.replacingOccurrences(of: "67.45,24.77,0", with: "67.45;24.77")
        let read = try RouteReader().parse(badCoordinate, file: "convoys.kml")
        #expect(read.items.map(\.id) == ["kkh"])
        let warning = try #require(read.warnings.first?.description)
        #expect(warning.contains("convoys.kml") && warning.contains("Placemark 1") && warning.contains("Karachi to Thatta")
                && warning.contains("coordinates") && warning.contains("67.45;24.77"), "\(warning)")

        let noLat = Self.gpx.replacingOccurrences(of: #"<trkpt lat="24.7600" lon="67.6000"/>"#, with: #"<trkpt lon="67.6000"/>"#)
        let track = try RouteReader().parse(noLat, file: "etrex.gpx")
        let trackWarning = try #require(track.warnings.first?.description)
        #expect(track.items.map(\.id) == ["etrex-2"] && trackWarning.contains("etrex.gpx") && trackWarning.contains("trk 1")
                && trackWarning.contains("trkpt"), "\(trackWarning)")
        #expect(throws: InputError.self) { try RouteReader(strict: true).parse(noLat, file: "etrex.gpx") }

        let offGlobe = Self.gpx.replacingOccurrences(of: #"lat="26.0031""#, with: #"lat="96.0031""#)
        #expect(try RouteReader().parse(offGlobe, file: "etrex.gpx").warnings.first?.description.contains("rte 1") == true)

        let broken = String(Self.kml.prefix(400))
        do {
            _ = try RouteReader().parse(broken, file: "cut.kml")
            Issue.record("a cut-off file must not parse")
        } catch let error as InputError {
            #expect(error.description.contains("cut.kml") && error.description.contains("line") && error.description.contains("XML"),
                    "\(error)")
        }
        let other = "<?xml version=\"1.0\"?><svg><path/></svg>"
        #expect((try? RouteReader().parse(other, file: "drawing.kml")) == nil)
    }

    /// The fuzzer's `routes` finding of 2026-11-29 (Fuzz/findings, deleted since): markup that is
    /// not XML at all. libxml2's error path in FoundationXML leaks 144 bytes per such file
    /// (suppressed in Tests/lsan.supp); the reader must still refuse it, naming the file and line.
    @Test func markupThatIsNotXMLIsRefusedByName() throws {
        let garbage = String(repeating: "<", count: 47) + "{"
        do {
            _ = try RouteReader().parse(garbage, file: "fuzz.kml")
            Issue.record("markup that is not XML must not parse")
        } catch let error as InputError {
            #expect(error.description.contains("fuzz.kml") && error.description.contains("line 1")
                    && error.description.contains("not well-formed XML"), "\(error)")
        }
    }
}

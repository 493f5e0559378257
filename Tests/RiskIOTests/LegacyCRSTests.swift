import Foundation
import Testing
@testable import RiskIO

/// GeoJSON that is not WGS84 longitude/latitude is refused with a clear error, not read as
/// degrees into an empty result.
@Suite struct LegacyCRSTests {
    static func routes(crs: String?, coordinates: String) -> String {
        let member = crs.map { #""crs": {"type": "name", "properties": {"name": "\#($0)"}}, "# } ?? ""
        return #"{"type": "FeatureCollection", \#(member)"features": [{"type": "Feature", "properties": {"id": "a"}, "#
            + #""geometry": {"type": "LineString", "coordinates": \#(coordinates)}}]}"#
    }

    static let utm = "[[317000.5, 2751000.0], [392000.0, 2738000.0]]"  // UTM 42N metres near Karachi
    static let degrees = "[[67.0, 24.86], [67.92, 24.75]]"

    @Test func aProjectedCRSIsRefusedNamingIt() throws {
        for reader in [{ try RouteReader().parse(Self.routes(crs: "urn:ogc:def:crs:EPSG::32642", coordinates: Self.utm), file: "utm.geojson") }] {
            do {
                _ = try reader()
                Issue.record("a UTM file must be refused")
            } catch let error as InputError {
                #expect(error.description.contains("utm.geojson") && error.description.contains("crs")
                        && error.description.contains("EPSG::32642") && error.description.contains("ogr2ogr"), "\(error)")
            }
        }
        // Even when its numbers happen to be degrees: the file says they are not.
        #expect(throws: InputError.self) { try RouteReader().parse(Self.routes(crs: "EPSG:3857", coordinates: Self.degrees), file: "m.geojson") }
    }

    @Test func projectedCoordinatesWithoutACRSAreRefused() throws {
        do {
            _ = try RouteReader().parse(Self.routes(crs: nil, coordinates: Self.utm), file: "utm.geojson")
            Issue.record("projected coordinates must be refused")
        } catch let error as InputError {
            #expect(error.description.contains("utm.geojson") && error.description.contains("projected")
                    && error.description.contains("317000.5"), "\(error)")
        }
    }

    @Test func wgs84NamesAreAccepted() throws {
        for name in ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"] {
            let read = try RouteReader().parse(Self.routes(crs: name, coordinates: Self.degrees), file: "ok.geojson")
            #expect(read.items.map(\.id) == ["a"], "\(name)")
        }
        #expect(try RouteReader().parse(Self.routes(crs: nil, coordinates: Self.degrees), file: "ok.geojson").items.count == 1)
    }
}

import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

@Suite struct RouteReaderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    func line(_ coordinates: String = "[[67.0,24.8],[67.2,24.9]]") -> String {
        #"{"type":"LineString","coordinates":\#(coordinates)}"#
    }

    func feature(_ properties: String, _ geometry: String, id: String? = nil) -> String {
        let idMember = id.map { #""id":\#($0),"# } ?? ""
        return #"{"type":"Feature",\#(idMember)"properties":\#(properties),"geometry":\#(geometry)}"#
    }

    func collection(_ features: [String]) -> String {
        #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ",\n"))]}"#
    }

    @Test func readsRoutes() throws {
        let url = try dir.write("routes.geojson", collection([
            feature(#"{"id":"airport-port","name":"Airport to Port","departs_at":"2024-10-06T18:45:00+05:00"}"#,
                    line("[[67.0,24.8],[67.0,24.8],[67.1,24.85],[67.2,24.9],[67.2,24.9]]")),
            feature("{}", #"{"type":"MultiLineString","coordinates":[[[70,30],[71,31]],[[72,32],[73,33]]]}"#, id: "\"top\""),
            feature(#"{"name":"  "}"#, line()),
            feature(#"{"id":12}"#, line()),
        ]))
        let result = try RouteReader().read(contentsOf: url)
        #expect(result.warnings.isEmpty)
        #expect(result.items == [
            Route(id: "airport-port", name: "Airport to Port", departsAt: epoch(1_728_222_300),
                  shape: .lineString([Coordinate(67.0, 24.8), Coordinate(67.1, 24.85), Coordinate(67.2, 24.9)])),
            Route(id: "top", shape: .multiLineString([[Coordinate(70, 30), Coordinate(71, 31)], [Coordinate(72, 32), Coordinate(73, 33)]])),
            // No id: the file's name and the feature's number.
            Route(id: "routes-3", shape: .lineString([Coordinate(67.0, 24.8), Coordinate(67.2, 24.9)])),
            Route(id: "12", shape: .lineString([Coordinate(67.0, 24.8), Coordinate(67.2, 24.9)])),
        ])
    }

    @Test func singleFeatureFile() throws {
        let url = try dir.write("one.geojson", feature(#"{"departs_at":"2024-10-06"}"#, line()))
        let result = try RouteReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["one-1"])
        #expect(result.items.first?.departsAt == epoch(1_728_172_800))
    }

    @Test func badFeatures() throws {
        let url = try dir.write("routes.geojson", collection([
            feature(#"{"id":"a","departs_at":"next tuesday"}"#, line()),
            feature(#"{"id":"b","departs_at":1728172800}"#, line()),
            feature(#"{"id":"c"}"#, #"{"type":"Point","coordinates":[1,2]}"#),
            feature(#"{"id":"d"}"#, line("[[67,24],[67,24],[67,24]]")),
            feature(#"{"id":"e"}"#, #"{"type":"MultiLineString","coordinates":[[[70,30],[71,31]],[[72,32],[72,32]]]}"#),
            feature(#"{"id":"f"}"#, line("[[67,24],[67,95]]")),
            feature(#"{"id":"g"}"#, line("[[67,24]]")),
            feature(#"{"id":"h","departs_at":"June 18, 2004"}"#, line()),
            feature(#"{"id":"ok"}"#, line()),
        ]))
        let result = try RouteReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["ok"])
        #expect(result.warnings.map(\.location) == (1...8).map { "feature \($0)" })
        #expect(result.warnings.map(\.field) == ["departs_at", "departs_at", "geometry", "geometry", "geometry", "geometry",
                                                 "geometry", "departs_at"])
        #expect(result.warnings[0].reason == "\"next tuesday\" is not an ISO 8601 date or date-time")
        #expect(result.warnings[3].reason == "the line has fewer than 2 distinct positions")
        #expect(result.warnings[4].reason == "line 2 has fewer than 2 distinct positions")
        #expect(result.warnings[5].reason.contains("latitude"))

        let strict = inputError { try RouteReader(strict: true).read(contentsOf: url) }
        #expect(strict?.diagnostics.map(\.location) == ["feature 1"])
    }

    @Test func duplicateIDsInAFileAreFatalEvenWhenLenient() throws {
        let url = try dir.write("routes.geojson", collection([
            feature(#"{"id":"x"}"#, line()), feature(#"{"id":"y"}"#, line()), feature("{}", line(), id: "\"x\""),
        ]))
        let error = inputError { try RouteReader().read(contentsOf: url) }
        #expect(error?.diagnostics.first?.location == "feature 3")
        #expect(error?.diagnostics.first?.reason == "duplicate route id \"x\" (also feature 1)")
    }

    @Test func readAllNumbersPerFileAndRejectsIDsRepeatedAcrossFiles() throws {
        let a = try dir.write("a.geojson", collection([feature(#"{"id":"a1"}"#, line()),
                                                       feature(#"{"id":"bad","departs_at":"x"}"#, line())]))
        let b = try dir.write("b.geojson", collection([feature(#"{"id":"b1"}"#, line()), feature("{}", line())]))
        let both = try RouteReader().readAll([a, b])
        #expect(both.items.map(\.id) == ["a1", "b1", "b-2"])
        #expect(both.warnings.map(\.file) == [a.path])

        let c = try dir.write("c.geojson", collection([feature("{}", line()), feature(#"{"id":"a1"}"#, line())]))
        let clash = inputError { try RouteReader().readAll([a, b, c]) }
        #expect(clash?.diagnostics.first?.file == c.path)
        #expect(clash?.diagnostics.first?.location == "feature 2")
        #expect(clash?.diagnostics.first?.reason == "duplicate route id \"a1\" (also \(a.path) feature 1)")

        // Issue 11: id-less routes of two files used to be `route-1` in both and collide; their
        // ids now carry the file's name.
        let d = try dir.write("d.geojson", collection([feature("{}", line())]))
        let e = try dir.write("e.geojson", collection([feature("{}", line())]))
        #expect(try RouteReader().readAll([d, e]).items.map(\.id) == ["d-1", "e-1"])

        // Only files of one name in two folders still collide, and the error says why.
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("other"), withIntermediateDirectories: true)
        let twin = try dir.write("other/d.geojson", collection([feature("{}", line())]))
        let same = inputError { try RouteReader().readAll([d, twin]) }
        #expect(same?.diagnostics.first?.file == twin.path)
        #expect(same?.diagnostics.first?.reason == "duplicate route id \"d-1\" (also \(d.path) feature 1); a route without an id "
            + "is named after its file: give the routes ids, or rename one of the files")
    }

    /// Generated ids follow the one id rule: a file name in NFD (as macOS writes them) gives the
    /// NFC id that the same name typed precomposed gives.
    @Test func generatedIDsAreInNFC() throws {
        let decomposed = try RouteReader().parse(collection([feature("{}", line())]), file: "cafe\u{301}.geojson")
        #expect(decomposed.items.map(\.id).first?.unicodeScalars.elementsEqual("caf\u{E9}-1".unicodeScalars) == true)
    }
}

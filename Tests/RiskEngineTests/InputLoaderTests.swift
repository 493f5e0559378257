import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskIO
import Testing

@Suite struct InputLoaderTests {
    static let badLatitude = """
        id,date,lat,lon
        a,2024-01-01,24.9,67.1
        b,2024-01-02,abc,67.1
        c,2024-01-03,25.1,67.2

        """

    @Test func aBadRowIsSkippedWithItsSourceLineAndField() throws {
        let loaded = try InputLoader().incidents([.text(Self.badLatitude, name: "body.csv")])
        #expect(loaded.items.map(\.id) == ["a", "c"])
        #expect(loaded.warnings == [Diagnostic(file: "body.csv", location: "line 3", field: "lat", reason: "\"abc\" is not a number")])
    }

    @Test func strictMakesTheFirstBadRowFatal() throws {
        #expect(throws: InputError(file: "body.csv", location: "line 3", field: "lat", reason: "\"abc\" is not a number")) {
            try InputLoader(strict: true).incidents([.text(Self.badLatitude, name: "body.csv")])
        }
    }

    @Test func filesAreNamedByTheirPathAndKeptPerSource() throws {
        let folder = try TempDirectory()
        let first = try folder.write("first.csv", Self.badLatitude)
        let second = try folder.write("second.csv", "id,date,lat,lon\nd,2024-02-01,26,68\n\ne,2024-02-02,26.5,191\n")
        let loaded = try InputLoader().incidents([.file(first), .file(second)])
        #expect(loaded.items.map(\.id) == ["a", "c", "d"])
        #expect(loaded.sources.map(\.name) == [first.path, second.path])
        #expect(loaded.sources.map { $0.items.count } == [2, 1])
        #expect(loaded.warnings.map(\.file) == [first.path, second.path])
        // The blank line 3 is skipped, so the out-of-range longitude is on line 4.
        #expect(loaded.warnings.map(\.location) == ["line 3", "line 4"])
        #expect(loaded.warnings.map(\.field) == ["lat", "lon"])

        let missing = folder.url.appendingPathComponent("missing.csv")
        #expect(throws: InputError(file: missing.path, reason: "cannot read: No such file or directory")) {
            try InputLoader().incidents([.file(first), .file(missing)])
        }
    }

    @Test func columnMappingAndDayFirstReachTheReader() throws {
        let text = "Ref,When,Y,X\nk1,02/03/2024,24.9,67.1\n"
        let loader = InputLoader(columns: ["id": "Ref", "date": "When", "lat": "Y", "lon": "X"], dayFirst: true)
        let incident = try #require(try loader.incidents([.text(text, name: "pbc.csv")]).items.first)
        #expect(incident.id == "k1")
        // 2 March 2024, 00:00 UTC: 19,784 days after 1970-01-01.
        #expect(incident.time == Date(timeIntervalSince1970: 19_784 * 86_400))
        #expect(incident.location == Coordinate(67.1, 24.9))
    }

    @Test func routeIDsMustBeUniqueAcrossSources() throws {
        let one = #"{"type":"Feature","properties":{"id":"r"},"geometry":{"type":"LineString","coordinates":[[67,25],[67,26]]}}"#
        #expect(throws: InputError.self) {
            try InputLoader().routes([.text(one, name: "a.geojson"), .text(one, name: "b.geojson")])
        }
    }

    /// A request's body: every input as GeoJSON or JSON text in memory, one of them without a
    /// telling name, scored end to end. The route runs 1 degree up the 67th meridian through
    /// one incident at its middle, inside one zone (base 0.25, multiplier 2).
    @Test func inMemoryGeoJSONLoadsAndScores() async throws {
        let model = #"{"sigma_km": 5, "min_decay": 0.001}"#
        let zones = """
            {"type": "FeatureCollection", "features": [{"type": "Feature",
              "properties": {"id": "z", "name": "Zone", "kind": "district", "base": 0.25, "multiplier": 2},
              "geometry": {"type": "Polygon", "coordinates": [[[66, 24], [68, 24], [68, 27], [66, 27], [66, 24]]]}}]}
            """
        let incidents = """
            {"type": "FeatureCollection", "features": [{"type": "Feature",
              "properties": {"id": "i1", "date": "2025-06-01T00:00:00Z", "killed": 0, "injured": 0},
              "geometry": {"type": "Point", "coordinates": [67, 25.5]}}]}
            """
        let routes = """
            {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "up", "name": "Up the meridian"},
              "geometry": {"type": "LineString", "coordinates": [[67, 25], [67, 26]]}}]}
            """
        let sources = ScoringSources(model: .text(model, name: "model"),
                                     zones: [.text(zones, name: "zones.geojson")],
                                     incidents: [.data(Data(incidents.utf8), name: "request body")],
                                     routes: [.data(Data(routes.utf8), name: "routes.geojson")])
        let inputs = try InputLoader(strict: true).scoringInputs(sources)
        #expect(inputs.model.kernel == .gaussian(sigmaKm: 5))
        #expect(inputs.zones.map(\.id) == ["z"] && inputs.zones[0].multiplier == 2 && inputs.zones[0].base == 0.25)
        #expect(inputs.incidents.map(\.id) == ["i1"] && inputs.incidents[0].location == Coordinate(67, 25.5))
        #expect(inputs.routes.map(\.id) == ["up"] && inputs.routes[0].name == "Up the meridian")
        #expect(inputs.warnings.isEmpty)

        let outcome = try await ScoreRequest(asOf: asOf).run(inputs)
        let result = try #require(outcome.ranked.first?.result)
        let lengthKm = meridianArcKm(26) - meridianArcKm(25)
        // Weight 1 (no casualties), decay 1 (the incident is at the evaluation time); along a
        // line through the incident the kernel integrates to sigma sqrt(2 pi) erf(3 / sqrt 2)
        // within the 3-sigma cutoff. The spec allows 0.5 % for distances in a working CRS.
        let sigma = 5.0
        let incidentExposure = 2 * sigma * (2 * Double.pi).squareRoot() * erf(3 / 2.0.squareRoot())
        #expect(relativeError(result.lengthKm, lengthKm) < 1e-9)
        #expect(relativeError(result.baseExposure, 2 * 0.25 * lengthKm) < 1e-9)
        #expect(relativeError(result.incidentExposure, incidentExposure) < 0.005)
        #expect(result.zones.map(\.id) == ["z"])
        #expect(outcome.model.kernel == .gaussian(sigmaKm: 5))
    }

    @Test func aBadFeatureInMemoryIsNamedByItsSource() throws {
        let routes = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"id": "ok"}, "geometry": {"type": "LineString", "coordinates": [[67, 25], [67, 26]]}},
              {"type": "Feature", "properties": {"id": "dot"}, "geometry": {"type": "Point", "coordinates": [67, 25]}}]}
            """
        let loaded = try InputLoader().routes([.text(routes, name: "POST /score")])
        #expect(loaded.items.map(\.id) == ["ok"])
        #expect(loaded.warnings.map(\.file) == ["POST /score"])
        #expect(loaded.warnings.map(\.location) == ["feature 2"])
        #expect(loaded.warnings.map(\.field) == ["geometry"])
    }

    @Test func movementsFromMemoryByContent() throws {
        let csv = "id,route_id,departs_at\nm1,r1,2025-06-01T06:00:00Z\n"
        let loaded = try InputLoader().movements([.text(csv, name: "tomorrow")])
        #expect(loaded.items.map(\.movement.id) == ["m1"])
        #expect(loaded.items[0].movement.departsAt == asOf.addingTimeInterval(6 * 3_600))
    }
}

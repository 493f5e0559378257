import Foundation
import Testing

/// `routerisk measure` and `routerisk generate` through the built binary.
@Suite struct MeasureAndGenerateTests {
    @Test func measureGivesTheGeodesicLengthOfKarachiToGwadar() throws {
        let scratch = try Scratch()
        let run = try scratch.routerisk(["measure", "LINESTRING (67.0011 24.8607, 62.3254 25.1216)"])
        #expect(run.status == 0, "\(run.stderr)")
        // "LineString geodesic length: 472.906 km"
        let printed = try #require(run.stdout.split(separator: " ").dropLast().last.flatMap { Double($0) }, "\(run.stdout)")
        let vincenty = Vincenty.distanceKm(LonLat(67.0011, 24.8607), LonLat(62.3254, 25.1216))
        #expect(abs(printed - vincenty) <= 0.0005 + 1e-9, "printed \(printed), Vincenty \(vincenty)")
        #expect(run.stdout.hasPrefix("LineString geodesic length: ") && run.stdout.hasSuffix(" km\n"))
        // The same line as a GeoJSON file.
        try scratch.write("line.json", #"{"type": "LineString", "coordinates": [[67.0011, 24.8607], [62.3254, 25.1216]]}"#)
        let file = try scratch.routerisk(["measure", "line.json"])
        #expect(file.status == 0 && file.stdout == run.stdout, "\(file.stderr)")
    }

    @Test func measureRefusesWhatIsNotAGeometry() throws {
        let scratch = try Scratch()
        let point = try scratch.routerisk(["measure", "POINT (67 25)"])
        #expect(point.status != 0 && point.stderr.contains("Point"))
        #expect(try scratch.routerisk(["measure", "missing.geojson"]).status != 0)
    }

    func generate(_ scratch: Scratch, into folder: String, seed: Int) throws -> CommandRun {
        try scratch.routerisk(["generate", "--out", folder, "--movements", "25", "--incidents", "200", "--min-km", "50",
                               "--max-km", "150", "--seed", String(seed)])
    }

    @Test func generateWritesWhatWasAskedAndTheSameSeedGivesTheSameBytes() throws {
        let scratch = try Scratch()
        let first = try generate(scratch, into: "a", seed: 5)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try generate(scratch, into: "b", seed: 5).status == 0)
        #expect(try generate(scratch, into: "c", seed: 6).status == 0)
        let files = ["routes.geojson", "movements.csv", "incidents.csv"]
        for name in files {
            #expect(try scratch.read("a/\(name)") == scratch.read("b/\(name)"), "\(name) differs for the same seed")
            #expect(try scratch.read("a/\(name)") != scratch.read("c/\(name)"), "\(name) is the same for another seed")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("a")).sorted() == files.sorted())

        struct Routes: Decodable {
            struct Feature: Decodable {
                struct Properties: Decodable { var id: String }
                struct Geometry: Decodable {
                    var type: String
                    var coordinates: [[Double]]
                }
                var properties: Properties
                var geometry: Geometry
            }
            var features: [Feature]
        }
        let routes = try JSONDecoder().decode(Routes.self, from: scratch.read("a/routes.geojson")).features
        #expect(routes.count == 25)
        #expect(routes.allSatisfy { $0.geometry.type == "LineString" && $0.geometry.coordinates.count >= 2 })
        // Each route is at most --max-km long (a corridor shorter than --min-km gives a shorter one).
        for route in routes {
            let km = Vincenty.lengthKm(route.geometry.coordinates.map { LonLat($0[0], $0[1]) })
            #expect(km > 0 && km <= 150 * 1.05, "\(route.properties.id): \(km) km")
        }
        let movements = String(decoding: try scratch.read("a/movements.csv"), as: UTF8.self)
        #expect(csvRecordCount(movements) == 1 + 25)
        let routeIDs = Set(routes.map(\.properties.id))
        let lines = movements.split(separator: "\n").dropFirst()
        #expect(lines.allSatisfy { routeIDs.contains(String($0.split(separator: ",")[1])) }, "every movement names a written route")
        #expect(csvRecordCount(String(decoding: try scratch.read("a/incidents.csv"), as: UTF8.self)) == 1 + 200)
        #expect(first.stdout.contains("25 routes") && first.stdout.contains("200 incidents"))
    }
}

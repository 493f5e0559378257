import Foundation
import Testing

/// `-` reads an input from standard input, and pipes, `/dev/stdin` and process substitutions are
/// read like files (issue 10 item 11, issue 11): each run below pipes through a real shell.
@Suite struct StandardInputTests {
    static let asOf = ["--as-of", "2025-06-01T00:00:00Z"]
    static let line = [LonLat(67.0, 24.8), LonLat(67.3, 25.0)]

    /// `script` run by /bin/sh in the scratch folder, with `$routerisk` the built executable.
    func shell(_ scratch: Scratch, _ script: String) throws -> CommandRun {
        try RouteRiskCommand.run(["-c", script], in: scratch.url, environment: ["routerisk": RouteRiskCommand.executable.path],
                                 program: URL(fileURLWithPath: "/bin/sh"))
    }

    func inputs(_ scratch: Scratch) throws {
        try scratch.write("routes.geojson", routesGeoJSON([(id: "r1", line: Self.line)]))
        // One incident on the route's first vertex, so it is the route's leading incident.
        try scratch.write("incidents.csv", incidentsCSV([(id: "x1", date: "2025-05-01", at: Self.line[0], killed: 3, injured: 1)]))
    }

    @Test func routesAndIncidentsArePipedToDash() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let options = " --as-of 2025-06-01T00:00:00Z --format json"
        let fromFiles = try shell(scratch, "\"$routerisk\" score routes.geojson --incidents incidents.csv" + options)
        let routesPiped = try shell(scratch, "cat routes.geojson | \"$routerisk\" score - --incidents incidents.csv" + options)
        let incidentsPiped = try shell(scratch, "cat incidents.csv | \"$routerisk\" score routes.geojson --incidents -" + options)
        for run in [fromFiles, routesPiped, incidentsPiped] { #expect(run.status == 0, "\(run.stderr)") }
        let expected = try decode(ScoreOutput.self, fromFiles).routes
        #expect(expected.map(\.id) == ["r1"] && expected.first?.topIncidents.map(\.id) == ["x1"])
        #expect(try decode(ScoreOutput.self, routesPiped).routes == expected)
        #expect(try decode(ScoreOutput.self, incidentsPiped).routes == expected)
        // The length is the geodesic one, computed here.
        let length = try #require(expected.first?.lengthKm)
        #expect(relativeDifference(length, Vincenty.distanceKm(Self.line[0], Self.line[1])) < 1e-5)
    }

    /// Used to fail with "/dev/stdin: cannot read: Permission denied" (Foundation refuses what is
    /// not a regular file).
    @Test func devStdinAndPipesAreReadLikeFiles() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let run = try shell(scratch, "cat routes.geojson | \"$routerisk\" score /dev/stdin --incidents incidents.csv --as-of 2025-06-01T00:00:00Z --format csv")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\n1,r1,"), "\(run.stdout)")
        // A named pipe (what a shell's <(...) is) is read to its end too.
        let fifo = try shell(scratch, "mkfifo routes.pipe && (cat routes.geojson > routes.pipe &) && "
            + "\"$routerisk\" score routes.pipe --incidents incidents.csv --as-of 2025-06-01T00:00:00Z --format csv")
        #expect(fifo.status == 0, "\(fifo.stderr)")
        #expect(fifo.stdout.contains("\n1,r1,"), "\(fifo.stdout)")
    }

    /// The format of standard input is told by its content; routes without ids are `stdin-N`.
    @Test func aPipedFileIsRecognisedByItsContent() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        try scratch.write("unnamed.gpx", """
            <?xml version="1.0" encoding="UTF-8"?>
            <gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="test"><trk><name>Log</name><trkseg>
            <trkpt lat="24.8" lon="67.0"/><trkpt lat="25.0" lon="67.3"/></trkseg></trk></gpx>
            """)
        let run = try shell(scratch, "cat unnamed.gpx | \"$routerisk\" score - --incidents incidents.csv --as-of 2025-06-01T00:00:00Z --format csv")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\n1,stdin-1,Log,"), "\(run.stdout)")
    }

    @Test func standardInputCanBeOnlyOneInput() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let run = try scratch.routerisk(["score", "-", "--incidents", "-"] + Self.asOf)
        #expect(run.status == 2)
        #expect(run.stderr == "routerisk: error: - (standard input) is given 2 times; it can be read as one input only\n")
    }
}

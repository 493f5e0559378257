import Foundation
@_exported import TestSupport  // for every file of this target: the scratch folders, Vincenty, the process runner
import Testing

// Black-box support for the command-line tests: they run the `routerisk` executable built beside
// the test bundle, read only what it prints and writes, and compute every expected value here
// (nothing is imported from the package's modules).

/// What one run of `routerisk` printed.
struct CommandRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A run that did not end within its time limit; it was killed.
struct CommandTimeout: Error, CustomStringConvertible {
    var arguments: [String]
    var seconds: TimeInterval
    var description: String { "\(arguments.joined(separator: " ")) did not finish within \(Int(seconds)) s and was killed" }
}

enum RouteRiskCommand {
    /// The executable built beside this test bundle.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("routerisk")
    /// The package's root folder, which holds the bundled data.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `routerisk arguments` (or another `program`) in `folder` with `NO_COLOR` set and
    /// `ROUTERISK_STORE` unset (unless `environment` sets it), and returns its exit status and
    /// output. A run that takes longer than `timeout` seconds is killed, recorded as a test
    /// failure and thrown as `CommandTimeout`. Output goes through files, so a chatty child never
    /// blocks on a full pipe.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:], timeout: TimeInterval = 120,
                    program: URL = executable, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        try #require(FileManager.default.isExecutableFile(atPath: program.path), "build routerisk first: \(program.path)",
                     sourceLocation: sourceLocation)
        var inherited = ProcessInfo.processInfo.environment
        inherited["ROUTERISK_STORE"] = nil
        inherited["NO_COLOR"] = "1"
        do {
            let run = try runChild(program, arguments, in: folder, environment: inherited.merging(environment) { $1 }, timeout: timeout)
            return CommandRun(status: run.status, stdout: run.stdout, stderr: run.stderr)
        } catch let child as ChildTimeout {
            let timeout = CommandTimeout(arguments: [program.lastPathComponent] + arguments, seconds: child.seconds)
            Issue.record("\(timeout)", sourceLocation: sourceLocation)
            throw timeout
        }
    }
}

/// A fresh folder for one test's files, removed when the test lets go of it.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: url.appendingPathComponent(name))
    }

    /// `routerisk arguments` run in this folder.
    func routerisk(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval = 120,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandRun {
        try RouteRiskCommand.run(arguments, in: url, environment: environment, timeout: timeout, sourceLocation: sourceLocation)
    }

    /// Copies an SQLite store with its write-ahead log, if one is left beside it.
    func copyStore(_ name: String, to copy: String) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path(name + suffix)) {
            try FileManager.default.copyItem(atPath: path(name + suffix), toPath: path(copy + suffix))
        }
    }
}

// MARK: Inputs written by the tests

/// A lon/lat position.
/// A GeoJSON FeatureCollection of LineString routes.
func routesGeoJSON(_ routes: [(id: String, line: [LonLat])]) -> String {
    let features = routes.map { route in
        let coordinates = route.line.map { "[\($0.lon), \($0.lat)]" }.joined(separator: ", ")
        let geometry = #"{"type": "LineString", "coordinates": [\#(coordinates)]}"#
        return #"{"type": "Feature", "properties": {"id": "\#(route.id)"}, "geometry": \#(geometry)}"#
    }
    return #"{"type": "FeatureCollection", "features": [\#(features.joined(separator: ",\n"))]}"# + "\n"
}

/// A zone over a lon/lat rectangle.
struct ZoneBox {
    var id: String
    var west: Double
    var south: Double
    var east: Double
    var north: Double
    var base: Double
    var multiplier: Double
}

/// A zone GeoJSON file of rectangles, each named by its id.
func zonesGeoJSON(_ zones: [ZoneBox]) -> String {
    let features = zones.map { z in
        let ring = [(z.west, z.south), (z.east, z.south), (z.east, z.north), (z.west, z.north), (z.west, z.south)]
            .map { "[\($0), \($1)]" }.joined(separator: ", ")
        let properties = #"{"id": "\#(z.id)", "name": "\#(z.id)", "kind": "zone", "base": \#(z.base), "multiplier": \#(z.multiplier)}"#
        return #"{"type": "Feature", "properties": \#(properties), "geometry": {"type": "Polygon", "coordinates": [[\#(ring)]]}}"#
    }
    return #"{"type": "FeatureCollection", "features": [\#(features.joined(separator: ",\n"))]}"# + "\n"
}

/// An incident CSV in the spec's columns.
func incidentsCSV(_ incidents: [(id: String, date: String, at: LonLat, killed: Int, injured: Int)]) -> String {
    (["id,date,lat,lon,killed,injured"] + incidents.map { "\($0.id),\($0.date),\($0.at.lat),\($0.at.lon),\($0.killed),\($0.injured)" })
        .joined(separator: "\n") + "\n"
}

// MARK: Reading the output

/// One route of `score`'s JSON, or one movement's score of `store scores` (which adds the
/// movement and route ids); every field is required, so a missing one fails the decoding by name.
struct RouteOutput: Decodable, Equatable {
    struct ZoneKm: Decodable, Equatable {
        var id: String
        var name: String
        var km: Double
    }

    struct TopIncident: Decodable, Equatable {
        var id: String
        var share: Double
        var closestKm: Double
        var atKm: Double
    }

    var movementId: String?
    var routeId: String?
    var rank: Int
    var id: String
    var evaluatedAt: String
    var lengthKm: Double
    var exposure: Double
    var baseExposure: Double
    var incidentExposure: Double
    var meanHazard: Double
    var peakHazard: Double
    var peakAtKm: Double
    var peakLocation: [Double]
    var score: Double
    var band: String
    var zones: [ZoneKm]
    var topIncidents: [TopIncident]
}

/// The JSON of `routerisk score`.
struct ScoreOutput: Decodable {
    struct Model: Decodable {
        var sigmaKm: Double
        var cutoffSigmas: Double
        var scoreScale: Double
        var bands: [String: Double]
    }

    var asOf: String
    var model: Model
    var routes: [RouteOutput]
    var warnings: [String]
}

/// The JSON of `routerisk store scores`.
struct StoredScores: Decodable {
    struct Run: Decodable {
        var id: Int
        var asOf: String
        var status: String
        var scored: Int
        var failed: Int
    }

    var run: Run
    var scores: [RouteOutput]
}

/// The JSON of `routerisk batch`.
struct BatchOutput: Decodable {
    struct Failure: Decodable {
        var movementId: String
        var reason: String
    }

    var run: StoredScores.Run
    var bands: [String: Int]
    var riskiest: [RouteOutput]
    var failed: [Failure]
}

func decode<T: Decodable>(_ type: T.Type, _ run: CommandRun, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do {
        return try decoder.decode(type, from: Data(run.stdout.utf8))
    } catch {
        let output = "stdout: \(run.stdout.prefix(2_000))\nstderr: \(run.stderr.prefix(2_000))"
        Issue.record("cannot read \(type) from the output: \(error)\n\(output)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Records of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks),
/// header included.
func csvRecordCount(_ text: String) -> Int {
    var records = 0, inQuotes = false, fieldStarted = false  // fieldStarted: the record has content
    for character in text {
        switch character {
        case "\"":
            inQuotes.toggle()
            fieldStarted = true
        case "\n", "\r\n":
            if inQuotes { continue }
            if fieldStarted { records += 1 }
            fieldStarted = false
        default:
            fieldStarted = true
        }
    }
    return records + (fieldStarted ? 1 : 0)
}

func relativeDifference(_ value: Double, _ reference: Double) -> Double {
    reference == 0 ? abs(value) : abs(value - reference) / abs(reference)
}

@Suite struct CommandRunnerTests {
    @Test func aRunPastItsTimeLimitIsKilledAndFailsTheTest() throws {
        let scratch = try Scratch()
        let started = Date()
        withKnownIssue("the runner records the timeout as a failure") {
            _ = try RouteRiskCommand.run(["600"], in: scratch.url, timeout: 2, program: URL(fileURLWithPath: "/bin/sleep"))
        }
        #expect(Date().timeIntervalSince(started) < 10, "the child was killed, not waited for")
    }
}

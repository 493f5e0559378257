import Foundation
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
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputs) }
        let stdoutURL = outputs.appendingPathComponent("stdout"), stderrURL = outputs.appendingPathComponent("stderr")
        try Data().write(to: stdoutURL)
        try Data().write(to: stderrURL)
        let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdout.close()
            try? stderr.close()
        }

        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var inherited = ProcessInfo.processInfo.environment
        inherited["ROUTERISK_STORE"] = nil
        inherited["NO_COLOR"] = "1"
        process.environment = inherited.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            // SIGKILL, not SIGTERM: a child spawned from the Swift Testing runner outlived SIGTERM
            // (observed with `sleep`; it inherits the runner's signal state), and a hung run must
            // not hold the suite.
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
            let timeout = CommandTimeout(arguments: [program.lastPathComponent] + arguments, seconds: timeout)
            Issue.record("\(timeout)", sourceLocation: sourceLocation)
            throw timeout
        }
        return CommandRun(status: process.terminationStatus,
                          stdout: String(decoding: try Data(contentsOf: stdoutURL), as: UTF8.self),
                          stderr: String(decoding: try Data(contentsOf: stderrURL), as: UTF8.self))
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
struct LonLat: Equatable {
    var lon: Double
    var lat: Double
    init(_ lon: Double, _ lat: Double) {
        self.lon = lon
        self.lat = lat
    }
}

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

// MARK: Geodesics, written here from Vincenty's formulae (1975) on WGS84

enum Vincenty {
    static let a = 6_378_137.0, f = 1 / 298.257223563, b = a * (1 - f)
    static let radians = Double.pi / 180

    /// The distance in km between two positions (inverse problem; not for near-antipodal points).
    static func distanceKm(_ p: LonLat, _ q: LonLat) -> Double {
        let L = (q.lon - p.lon) * radians
        let U1 = atan((1 - f) * tan(p.lat * radians)), U2 = atan((1 - f) * tan(q.lat * radians))
        let sinU1 = sin(U1), cosU1 = cos(U1), sinU2 = sin(U2), cosU2 = cos(U2)
        var lambda = L
        var sinSigma = 0.0, cosSigma = 0.0, sigma = 0.0, cos2Alpha = 0.0, cos2SigmaM = 0.0
        for _ in 0..<200 {
            let sinLambda = sin(lambda), cosLambda = cos(lambda)
            let x = cosU2 * sinLambda, y = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda
            sinSigma = (x * x + y * y).squareRoot()
            if sinSigma == 0 { return 0 }
            cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda
            sigma = atan2(sinSigma, cosSigma)
            let sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma
            cos2Alpha = 1 - sinAlpha * sinAlpha
            cos2SigmaM = cos2Alpha == 0 ? 0 : cosSigma - 2 * sinU1 * sinU2 / cos2Alpha
            let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
            let previous = lambda
            lambda = L + (1 - C) * f * sinAlpha
                * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
            if abs(lambda - previous) < 1e-13 { break }
        }
        let u2 = cos2Alpha * (a * a - b * b) / (b * b)
        let A = 1 + u2 / 16_384 * (4_096 + u2 * (-768 + u2 * (320 - 175 * u2)))
        let B = u2 / 1_024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
        let deltaSigma = B * sinSigma * (cos2SigmaM + B / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
            - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
        return b * A * (sigma - deltaSigma) / 1_000
    }

    /// The position `distanceKm` from `p` on the initial azimuth `azimuth` (degrees from north;
    /// direct problem).
    static func destination(from p: LonLat, azimuth: Double, distanceKm: Double) -> LonLat {
        let alpha1 = azimuth * radians, s = distanceKm * 1_000
        let sinAlpha1 = sin(alpha1), cosAlpha1 = cos(alpha1)
        let tanU1 = (1 - f) * tan(p.lat * radians)
        let cosU1 = 1 / (1 + tanU1 * tanU1).squareRoot(), sinU1 = tanU1 * cosU1
        let sigma1 = atan2(tanU1, cosAlpha1)
        let sinAlpha = cosU1 * sinAlpha1
        let cos2Alpha = 1 - sinAlpha * sinAlpha
        let u2 = cos2Alpha * (a * a - b * b) / (b * b)
        let A = 1 + u2 / 16_384 * (4_096 + u2 * (-768 + u2 * (320 - 175 * u2)))
        let B = u2 / 1_024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
        var sigma = s / (b * A), cos2SigmaM = 0.0, sinSigma = 0.0, cosSigma = 0.0
        for _ in 0..<200 {
            cos2SigmaM = cos(2 * sigma1 + sigma)
            sinSigma = sin(sigma)
            cosSigma = cos(sigma)
            let deltaSigma = B * sinSigma * (cos2SigmaM + B / 4 * (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)
                - B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)))
            let previous = sigma
            sigma = s / (b * A) + deltaSigma
            if abs(sigma - previous) < 1e-13 { break }
        }
        cos2SigmaM = cos(2 * sigma1 + sigma)
        sinSigma = sin(sigma)
        cosSigma = cos(sigma)
        let x = sinU1 * sinSigma - cosU1 * cosSigma * cosAlpha1
        let lat = atan2(sinU1 * cosSigma + cosU1 * sinSigma * cosAlpha1, (1 - f) * (sinAlpha * sinAlpha + x * x).squareRoot())
        let lambda = atan2(sinSigma * sinAlpha1, cosU1 * cosSigma - sinU1 * sinSigma * cosAlpha1)
        let C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        let L = lambda - (1 - C) * f * sinAlpha
            * (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)))
        return LonLat(p.lon + L / radians, lat / radians)
    }

    /// The length in km of a polyline of geodesic segments.
    static func lengthKm(_ line: [LonLat]) -> Double {
        zip(line, line.dropFirst()).reduce(0) { $0 + distanceKm($1.0, $1.1) }
    }
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

import ArgumentParser
import Foundation
import Geo
import RiskCore
import RiskIO
import RiskReport
import RiskSynth

/// Writes reproducible synthetic routes, movements and incidents for tests and benchmarks.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write synthetic routes, movements and incidents over Pakistan's corridors (same seed, same files).")

    @Option(help: "Folder to write routes.geojson, movements.csv and incidents.csv into.") var out: String
    @Option(help: "Number of movements (each on its own route).") var movements = 1_000
    @Option(help: "Number of incidents, clustered around cities.") var incidents = 5_000
    @Option(help: "Shortest route in km.") var minKm: Double = 100
    @Option(help: "Longest route in km.") var maxKm: Double = 800
    @Option(help: "Departures spread over this many days from --start.") var days: Double = 1
    @Option(help: "First departure (ISO 8601).") var start: String = "2025-06-01T00:00:00Z"
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Prefix of incident ids (use a new one for a second batch of incidents).") var incidentPrefix = "syn"
    @Option(help: ArgumentHelp("GeoJSON points with a name (or NAME): write a straight route between every pair of places "
                               + "--min-km to --max-km apart instead of corridor routes (--movements is then ignored).",
                               valueName: "FILE"))
    var places: String?

    func validate() throws {
        guard movements >= 0, incidents >= 0 else { throw ValidationError("counts must not be negative") }
        guard minKm > 0, maxKm >= minKm, maxKm <= 20_000 else { throw ValidationError("need 0 < --min-km <= --max-km <= 20000") }
        // A negative or unbounded spread would make an inverted or infinite range of departures.
        guard days.isFinite, (0...36_500).contains(days) else { throw ValidationError("--days must be between 0 and 36500, got \(days)") }
    }

    func run() throws {
        let first = try TimeOptions.parse(start, option: "--start", zoneless: .rejected)
        let synth = SyntheticPakistan(seed: seed)
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let routes: [Route]
        if let places {
            let read = try PlaceReader().read(.file(URL(fileURLWithPath: places)))
            for warning in read.warnings { printError("warning: \(warning)") }
            routes = try placePairRoutes(read.items, minKm: minKm, maxKm: maxKm)
        } else {
            routes = synth.routes(count: movements, minKm: minKm, maxKm: maxKm,
                                  departing: first...first.addingTimeInterval(days * 86_400))
        }
        let features = routes.map { route in
            JSONValue.object([.init("type", "Feature"), .init("properties", .object([.init("id", .string(route.id))])),
                              .init("geometry", GeoJSON.value(route.shape))])
        }
        try write(JSONValue.object([.init("type", "FeatureCollection"), .init("features", .array(features))]).serialized() + "\n",
                  to: folder.appendingPathComponent("routes.geojson"))
        var movementLines = ["id,route_id,departs_at,status,labels"]
        for (index, route) in routes.enumerated() {
            movementLines.append("movement-\(index + 1),\(route.id),\(iso8601(route.departsAt ?? first)),scheduled,convoy-\(index % 50 + 1)")
        }
        try write(movementLines.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("movements.csv"))
        var incidentLines = ["id,date,lat,lon,killed,injured,category,target"]
        for i in synth.incidents(count: incidents, end: first, idPrefix: incidentPrefix) {
            incidentLines.append([i.id, iso8601(i.time), String(format: "%.5f", i.location.y), String(format: "%.5f", i.location.x),
                                  String(Int(i.killed)), String(Int(i.injured)), i.category ?? "", i.target ?? ""].map(csvField)
                .joined(separator: ","))
        }
        try write(incidentLines.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("incidents.csv"))
        print("wrote \(routes.count) routes and movements and \(incidents) incidents to \(folder.path)")
    }

    private func write(_ text: String, to url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

import Foundation
import Geo
import RiskCore
import RiskBatch
import RiskIO
import RiskSQLite
import RiskSynth

// Benchmarks for RouteRisk. Run in release: `make bench` (or
// `swift run -c release routerisk-bench [name ...]`). Each line reports the median and best wall
// time over repeated runs, the throughput, and the process's peak resident memory so far.

struct Measurement {
    var name: String
    var median: Double
    var best: Double
    var runs: Int
    var throughput: String
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Runs `body` at least `minimumRuns` times and for at least `minimumSeconds`.
func measure(_ name: String, minimumRuns: Int = 5, minimumSeconds: Double = 1, throughput: (Double) -> String,
             _ body: () throws -> Void) rethrows -> Measurement {
    try body()  // warm-up
    var samples: [Double] = []
    var spent = 0.0
    while samples.count < minimumRuns || spent < minimumSeconds {
        let t = try time(body)
        samples.append(t)
        spent += t
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let m = Measurement(name: name, median: median, best: samples[0], runs: samples.count, throughput: throughput(median))
    print(String(format: "| %@ | %.3f ms | %.3f ms | %d | %@ | %.0f MiB |", m.name, m.median * 1000, m.best * 1000, m.runs,
                 m.throughput, peakMemoryMiB()))
    return m
}

let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01
let arguments = Array(CommandLine.arguments.dropFirst())
/// `--name value` options, for the `routes` benchmark.
func option(_ name: String, _ fallback: Double) -> Double {
    guard let index = arguments.firstIndex(of: "--" + name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else {
        return fallback
    }
    return value
}
let requested = Set(arguments.filter { !$0.hasPrefix("--") && Double($0) == nil && !["exact", "fast"].contains($0) })
func wanted(_ name: String) -> Bool { requested.isEmpty ? name != "routes" : requested.contains(name) }

print("| benchmark | median | best | runs | throughput | peak memory |")
print("|---|---|---|---|---|---|")

if wanted("index") {
    let synth = SyntheticPakistan(seed: 1)
    let incidents = synth.incidents(count: 50_000, end: asOf)
    let transformer = try WorkingCRS(fitting: WorkingCRS.pakistanExtent).transformer()
    let points = try transformer.transformed(incidents.map(\.location))
    let index = EnvelopeIndex(points.enumerated().map { (Envelope(minX: $1.x, minY: $1.y, maxX: $1.x, maxY: $1.y), $0) })
    var random = SeededRandom(seed: 9)
    let windows = (0..<10_000).map { _ -> Envelope in
        let p = points[Int(random.next() % UInt64(points.count))]
        return Envelope(minX: p.x - 31, minY: p.y - 31, maxX: p.x + 31, maxY: p.y + 31)
    }
    var found = 0
    _ = measure("STR index: 10,000 queries (62 km windows) over 50,000 points", throughput: { String(format: "%.0f queries/s", 10_000 / $0) }) {
        found = 0
        for window in windows { index.query(window) { _ in found += 1 } }
    }
    _ = measure("linear scan: 100 of the same queries", minimumRuns: 3, throughput: { String(format: "%.0f queries/s", 100 / $0) }) {
        found = 0
        for window in windows.prefix(100) { for p in points where window.contains(p) { found += 1 } }
    }
    _ = measure("STR index: build over 50,000 points", minimumRuns: 3, throughput: { String(format: "%.0f points/s", 50_000 / $0) }) {
        _ = EnvelopeIndex(points.enumerated().map { (Envelope(minX: $1.x, minY: $1.y, maxX: $1.x, maxY: $1.y), $0) })
    }
}

if wanted("single") {
    let synth = SyntheticPakistan(seed: 2)
    let incidents = synth.incidents(count: 5_000, end: asOf)
    // Karachi to Peshawar along N-5, cut to 500 km from Karachi northwards.
    let route = synth.routes(count: 200, minKm: 500, maxKm: 500).first { route in
        (try? Geodesic.wgs84.lengthKm(of: route.shape)).map { abs($0 - 500) < 25 } ?? false
    }!
    let length = try Geodesic.wgs84.lengthKm(of: route.shape)
    let data = try ScoringData(incidents: incidents, zones: [], model: Model())
    let scorer = try Scorer(data)
    var result: RouteResult?
    _ = try measure(String(format: "exact: one %.0f km route, 5,000 incidents", length),
                    throughput: { String(format: "%.0f route-km/s", length / $0) }) {
        result = try scorer.score(route, asOf: asOf)
    }
    if let result {
        print(String(format: "|   (exposure %.2f, %d top incidents, %.0f incidents alive) | | | | | |", result.exposure,
                     result.topIncidents.count, Double(incidents.filter { Model().decay(of: $0.time, at: asOf) != nil }.count)))
    }
    _ = try measure("prepare: project and index 5,000 incidents", throughput: { String(format: "%.0f incidents/s", 5_000 / $0) }) {
        _ = try ScoringData(incidents: incidents, zones: [], model: Model())
    }
}

if wanted("demo") {
    // The bundled demo, as `routerisk score` runs it (run from the repository root).
    let zones = try ["data/zones/provinces.geojson", "data/zones/special.geojson"].flatMap {
        try ZoneReader().read(contentsOf: URL(fileURLWithPath: $0)).items
    }
    let routeFiles = try FileManager.default.contentsOfDirectory(atPath: "data/routes").sorted().map { URL(fileURLWithPath: "data/routes/" + $0) }
    let routes = try RouteReader().readAll(routeFiles).items
    let incidents = try IncidentReader().read(contentsOf: URL(fileURLWithPath: "seeds/incidents.csv")).items
    let model = try ModelReader.read(contentsOf: URL(fileURLWithPath: "data/model.json"))
    let km = try routes.reduce(0) { $0 + (try Geodesic.wgs84.lengthKm(of: $1.shape)) }
    _ = try measure("demo: read and prepare the bundled zones, incidents and model", throughput: { String(format: "%.0f zones/s", Double(zones.count) / $0) }) {
        _ = try Scorer(try ScoringData(incidents: incidents, zones: zones, model: model))
    }
    let scorer = try Scorer(try ScoringData(incidents: incidents, zones: zones, model: model))
    _ = try measure(String(format: "demo: score the %d bundled routes (%.0f km, %d zones)", routes.count, km, zones.count),
                    throughput: { String(format: "%.0f route-km/s", km / $0) }) {
        for route in routes { _ = try scorer.score(route, asOf: asOf) }
    }
}

if wanted("batch") {
    // 10,000 movements of 100 to 800 km against 5,000 incidents: a full run, then an
    // incremental run after 50 new incidents.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-bench-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try SQLiteStore(path: folder.appendingPathComponent("bench.sqlite").path, create: true)
    let synth = SyntheticPakistan(seed: 3)
    let routes = synth.routes(count: 10_000, minKm: 100, maxKm: 800, departing: asOf...asOf.addingTimeInterval(86_400))
    try store.upsert(routes: routes)
    _ = try store.upsert(movements: routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) })
    try store.upsert(incidents: synth.incidents(count: 5_000, end: asOf))
    let km = try routes.reduce(0) { $0 + (try Geodesic.wgs84.lengthKm(of: $1.shape)) }
    let runner = BatchRunner(store: store)
    let options = BatchOptions(asOf: asOf, window: .next(2 * 86_400), jobs: Int(option("jobs", 1)))
    var full = 0.0, incremental = 0.0
    var start = DispatchTime.now().uptimeNanoseconds
    _ = try await runner.run(options)
    full = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "| batch: full run, 10,000 movements (%.0f km), 5,000 incidents, %d jobs | %.1f s | | 1 | %.0f route-km/s | %.0f MiB |",
                 km, options.jobs, full, km / full, peakMemoryMiB()))
    try store.upsert(incidents: SyntheticPakistan(seed: 4).incidents(count: 50, end: asOf, years: 0.5, idPrefix: "new"))
    var outcome: BatchOutcome?
    start = DispatchTime.now().uptimeNanoseconds
    outcome = try await runner.run(options)
    incremental = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "| batch: incremental run after 50 new incidents (%d carried forward, %d updated) | %.1f s | | 1 | %.1fx faster than full | %.0f MiB |",
                 outcome?.run.counters.reused ?? 0, outcome?.run.counters.recomputed ?? 0, incremental, full / incremental, peakMemoryMiB()))
}

if wanted("routes") {
    // Many routes on one path: `routes --routes N --incidents M --sigma S --min-km A --max-km B --jobs J exact|fast`.
    // Run one configuration per process, so the peak memory is that configuration's.
    let count = Int(option("routes", 1_000)), incidentCount = Int(option("incidents", 50_000))
    let jobs = Int(option("jobs", 1))
    let path: ScoringPath = arguments.contains("exact") ? .exact : .fast
    var model = Model()
    let sigma = option("sigma", 10)
    model.kernel = .gaussian(sigmaKm: sigma)
    let synth = SyntheticPakistan(seed: 11)
    let routes = synth.routes(count: count, minKm: option("min-km", 100), maxKm: option("max-km", 800))
    let incidents = synth.incidents(count: incidentCount, end: asOf)
    let km = try routes.reduce(0) { $0 + (try Geodesic.wgs84.lengthKm(of: $1.shape)) }
    let data = try ScoringData(incidents: incidents, zones: [], model: model)
    var notes: [String] = []
    let start = DispatchTime.now().uptimeNanoseconds
    let results = try await scoreRoutes(routes, asOf: asOf, data: data, path: path, jobs: jobs) { notes.append($0) }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let failures = results.filter { if case .failure = $0 { return true } else { return false } }.count
    print(String(format: "| %@ | %d routes, %.0f km | %d incidents | sigma %.0f | %d jobs | %.2f s | %.0f route-km/s | %.0f MiB |%@",
                 path.rawValue, count, km, incidentCount, sigma, jobs, seconds, km / seconds, peakMemoryMiB(),
                 (notes + (failures > 0 ? ["\(failures) failed"] : [])).map { " " + $0 }.joined()))
}

if wanted("grid") {
    for incidentCount in [5_000, 50_000] {
        let data = try ScoringData(incidents: SyntheticPakistan(seed: 12).incidents(count: incidentCount, end: asOf), zones: [], model: Model())
        let extent = Envelope(covering: try data.crs.transformer().transformed([Coordinate(60.8, 23.6), Coordinate(77.9, 37.1)]))!
        for jobs in [1, 2] {
            let start = DispatchTime.now().uptimeNanoseconds
            let grid = try await HazardGrid.build(data: data, extent: extent, referenceTime: asOf, jobs: jobs)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "| grid: build over Pakistan, sigma 10, %d incidents, %d jobs (%d x %d nodes, %.0f MiB) | %.3f s | | 1 | %.0f incidents/s | %.0f MiB |",
                         incidentCount, jobs, grid.columns, grid.rows, Double(grid.memoryBytes) / 1_048_576, seconds,
                         Double(incidentCount) / seconds, peakMemoryMiB()))
        }
    }
}

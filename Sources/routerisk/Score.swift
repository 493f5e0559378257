import ArgumentParser
import Foundation
import Geo
import RiskCore
import RiskIO
import RiskReport

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, geojson
}

extension RankKey: ExpressibleByArgument {}

/// Options shared by every command that reads incidents, zones, routes and a model.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("zones"), help: "Zone GeoJSON file (repeatable). Default: the bundled data/zones/.")
    var zoneFiles: [String] = []

    @Option(name: .customLong("incidents"), help: "Incident CSV or GeoJSON file (repeatable). Default: the bundled seeds/incidents.csv.")
    var incidentFiles: [String] = []

    @Option(name: .customLong("model"), help: "Model JSON file. Default: the bundled data/model.json.")
    var modelFile: String?

    @Option(name: .customLong("column"), help: ArgumentHelp("Map an incident field to a CSV header (repeatable).", valueName: "FIELD=HEADER"))
    var columns: [String] = []

    @Flag(help: "Read numeric dates like 18/06/2004 as day/month/year.")
    var dayFirst = false

    @Flag(help: "Treat a bad row or feature as fatal instead of skipping it with a warning.")
    var strict = false

    func columnMapping() throws -> [String: String] {
        try InputOptions.parseColumns(columns)
    }

    /// Loads zones, incidents and model, printing warnings to stderr.
    func load(bundle: Bundle) throws -> (zones: [Zone], incidents: [Incident], model: Model, warnings: [Diagnostic]) {
        var warnings: [Diagnostic] = []
        let model = try ModelReader.read(contentsOf: modelFile.map(URL.init(fileURLWithPath:)) ?? bundle.model)
        let zoneURLs = zoneFiles.isEmpty ? try bundle.zoneFiles() : zoneFiles.map(URL.init(fileURLWithPath:))
        var zones: [Zone] = []
        let zoneReader = ZoneReader(strict: strict)
        for url in zoneURLs {
            let read = try zoneReader.read(contentsOf: url)
            zones += read.items
            warnings += read.warnings
        }
        let incidentURLs = incidentFiles.isEmpty ? [bundle.incidents] : incidentFiles.map(URL.init(fileURLWithPath:))
        var incidents: [Incident] = []
        let incidentReader = IncidentReader(columns: try columnMapping(), dayFirst: dayFirst, strict: strict)
        for url in incidentURLs {
            let read = try incidentReader.read(contentsOf: url)
            incidents += read.items
            warnings += read.warnings
        }
        return (zones, incidents, model, warnings)
    }
}

struct Score: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank routes by risk, with the reasons.",
        discussion: """
        With no route files, scores the bundled demo routes (data/routes/) against the bundled zones, \
        incidents and model; any input not given on the command line comes from the bundled data.
        """
    )

    @Argument(help: "Route GeoJSON files (LineString or MultiLineString features).")
    var routeFiles: [String] = []

    @OptionGroup var inputs: InputOptions

    @Option(help: "Evaluation time for routes without departs_at (ISO 8601). Default: now.")
    var asOf: String?

    @Option(help: "table (default on a terminal), json (default otherwise), csv or geojson.")
    var format: OutputFormat?

    @Option(help: "Rank by exposure, mean_hazard or peak_hazard.")
    var rankBy: RankKey = .exposure

    @Option(help: "Show only the N highest-ranked routes.")
    var top: Int?

    @Flag(help: "In the table, add each route's zone kilometres and top incidents.")
    var explain = false

    @Flag(help: "Score on the exact path instead of the hazard grid.")
    var exact = false

    @Option(help: "Scoring tasks at once (default: the number of cores).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let bundle = try Bundle.locate()
        let evaluation = try parseAsOf(asOf)
        let (zones, incidents, model, inputWarnings) = try inputs.load(bundle: bundle)
        let routeURLs = routeFiles.isEmpty ? try bundle.routeFiles() : routeFiles.map(URL.init(fileURLWithPath:))
        let routes = try RouteReader(strict: inputs.strict).readAll(routeURLs)
        var warnings = inputWarnings + routes.warnings
        warnings.forEach { printError("warning: \($0)") }

        let data = try ScoringData(incidents: incidents, zones: zones, model: model)
        // The grid pays off over many kilometres; a handful of short routes is faster exact.
        let kilometres = routes.items.reduce(0) { $0 + ((try? Geodesic.wgs84.lengthKm(of: $1.shape)) ?? 0) }
        let path: ScoringPath = exact || kilometres < 20_000 ? .exact : .fast
        let scored = try await scoreRoutes(routes.items, asOf: evaluation, data: data, path: path, jobs: jobs) { note in
            printError("note: \(note)")
        }
        var results: [RouteResult] = []
        for (route, outcome) in zip(routes.items, scored) {
            do {
                results.append(try outcome.get())
            } catch {
                let diagnostic = Diagnostic(file: "route", location: route.id, reason: "\(error)")
                if inputs.strict { throw InputError(diagnostic) }
                printError("warning: \(diagnostic)")
                warnings.append(diagnostic)
            }
        }
        var ranked = rank(results, by: rankBy)
        if let top { ranked = Array(ranked.prefix(top)) }
        let report = Report(asOf: evaluation, model: ModelReader.json(model), ranked: ranked,
                            shapes: Dictionary(uniqueKeysWithValues: routes.items.map { ($0.id, $0.shape) }),
                            warnings: warnings.map(\.description), rankedBy: rankBy)
        let terminal = isatty(STDOUT_FILENO) == 1
        switch format ?? (terminal ? .table : .json) {
        case .table:
            let colour = terminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            print(report.table(colour: colour, explain: explain), terminator: "")
        case .json: print(report.json(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        case .geojson: print(report.geoJSON(), terminator: "")
        }
    }
}

func parseAsOf(_ text: String?) throws -> Date {
    guard let text else { return Date() }
    guard let date = DateParser().parseISO8601(text) else {
        throw ValidationError("--as-of: \"\(text)\" is not an ISO 8601 date or date-time")
    }
    return date
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

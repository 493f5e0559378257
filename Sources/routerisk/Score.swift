import ArgumentParser
import Foundation
import RiskCore
import RiskEngine
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

    /// The loader these options ask for.
    func loader() throws -> InputLoader {
        InputLoader(columns: try InputOptions.parseColumns(columns), dayFirst: dayFirst, strict: strict)
    }

    /// The files named on the command line, the bundled ones for any kind not named.
    func sources(bundle: Bundle, routeFiles: [String]) throws -> ScoringSources {
        func files(_ paths: [String], else bundled: () throws -> [URL]) throws -> [InputSource] {
            (paths.isEmpty ? try bundled() : paths.map(URL.init(fileURLWithPath:))).map(InputSource.file)
        }
        return ScoringSources(model: .file(modelFile.map(URL.init(fileURLWithPath:)) ?? bundle.model),
                              zones: try files(zoneFiles, else: bundle.zoneFiles),
                              incidents: try files(incidentFiles) { [bundle.incidents] },
                              routes: try files(routeFiles, else: bundle.routeFiles))
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

    /// The scoring request's own rules, reported under the options' names.
    func validate() throws {
        do throws(ScoreRequest.Invalid) {
            try ScoreRequest(asOf: Date(), top: top, jobs: jobs).validate()
        } catch {
            throw ValidationError("--\(error.field) \(error.reason)")
        }
    }

    func run() async throws {
        let bundle = try Bundle.locate()
        let request = ScoreRequest(asOf: try parseAsOf(asOf), rankBy: rankBy, top: top, exact: exact, jobs: jobs,
                                   strict: inputs.strict)
        let loaded = try inputs.loader().scoringInputs(try inputs.sources(bundle: bundle, routeFiles: routeFiles))
        let outcome = try await request.run(loaded) { event in
            switch event {
            case .warning(let diagnostic): printError("warning: \(diagnostic)")
            case .note(let note): printError("note: \(note)")
            }
        }
        let report = Report(outcome)
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

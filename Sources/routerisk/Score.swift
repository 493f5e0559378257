import ArgumentParser
import Foundation
import RiskCore
import RiskEngine
import RiskIO
import RiskReport

/// The formats of `score`. Each command has its own list, so a format it cannot produce is
/// rejected when the options are parsed (a usage error) instead of printing something else.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, geojson
    /// One self-contained HTML page: the map, the explanations and the ranked table.
    case html
}

extension RankKey: ExpressibleByArgument {}

/// Options shared by every command that reads incidents, zones, routes and a model.
struct InputOptions: ParsableArguments {
    @Option(name: .customLong("zones"), help: "Zone GeoJSON file (repeatable; - reads standard input). Default: the bundled data/zones/.")
    var zoneFiles: [String] = []

    @Option(name: .customLong("incidents"), help: "Incident CSV or GeoJSON file (repeatable; - reads standard input). Default: the bundled seeds/incidents.csv.")
    var incidentFiles: [String] = []

    @Option(name: .customLong("model"), help: "Model JSON file (- reads standard input). Default: the bundled data/model.json.")
    var modelFile: String?

    @Option(name: .customLong("column"), help: ArgumentHelp("Map an incident field to a CSV header (repeatable).", valueName: "FIELD=HEADER"))
    var columns: [String] = []

    @Flag(help: "Read numeric dates like 18/06/2004 as day/month/year.")
    var dayFirst = false

    @Flag(help: "Treat a bad row or feature as fatal instead of skipping it with a warning.")
    var strict = false

    /// The loader these options ask for, departures without a zone read as `times` says.
    func loader(_ times: TimeOptions) throws -> InputLoader {
        InputLoader(columns: try InputOptions.parseColumns(columns), dayFirst: dayFirst, strict: strict,
                    departureZone: try times.zoneless())
    }

    /// The files named on the command line, the bundled ones for any kind not named. The bundled
    /// data is looked for only when some kind is not named, so a run given every input needs none.
    func sources(routeFiles: [String]) throws -> ScoringSources {
        var found: BundledData?
        func bundle() throws -> BundledData {
            if let found { return found }
            let located = try BundledData.locate()
            found = located
            return located
        }
        // Standard input can be read once: as one input, whose format its content tells.
        let dashes = (routeFiles + zoneFiles + incidentFiles + [modelFile].compactMap { $0 }).filter { $0 == "-" }.count
        guard dashes <= 1 else { throw CommandFailure(.usage, "- (standard input) is given \(dashes) times; it can be read as one input only") }
        func source(_ path: String) -> InputSource {
            guard path == "-" else { return .file(URL(fileURLWithPath: path)) }
            return .data(FileHandle.standardInput.readDataToEndOfFile(), name: "stdin")
        }
        func files(_ paths: [String], else bundled: () throws -> [URL]) throws -> [InputSource] {
            paths.isEmpty ? try bundled().map(InputSource.file) : paths.map(source)
        }
        return ScoringSources(model: try modelFile.map(source) ?? .file(bundle().model),
                              zones: try files(zoneFiles) { try bundle().zoneFiles() },
                              incidents: try files(incidentFiles) { [try bundle().incidents] },
                              routes: try files(routeFiles) { try bundle().routeFiles() })
    }
}

struct Score: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank routes by risk, with the reasons.",
        discussion: """
        With no route files, scores the bundled demo routes (data/routes/) against the bundled zones, \
        incidents and model; any input not given on the command line comes from the bundled data. \
        Routes that cannot be scored are listed as warnings and the rest are ranked (exit status 3).

        \(ExitStatus.helpTable)
        """
    )

    @Argument(help: "Route files: GeoJSON (LineString or MultiLineString features), KML, GPX or GeoPackage (.gpkg line layers); - reads standard input, its format told by its content.")
    var routeFiles: [String] = []

    @OptionGroup var inputs: InputOptions

    @Option(help: "Evaluation time for routes without departs_at (ISO 8601). Default: now.")
    var asOf: String?

    @Option(help: "Evaluate every route at this time (ISO 8601), whatever its departs_at.")
    var evaluateAt: String?

    @OptionGroup var times: TimeOptions

    @Option(help: "table (default on a terminal), json (default otherwise), csv, geojson, or html (a map page that works offline).")
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

    @Flag(help: "Score even when no incident applies at the evaluation time (on zones alone) instead of failing.")
    var allowEmpty = false

    @Flag(help: "Count an incident given twice (same id, or same day and place in two files) twice.")
    var keepDuplicates = false

    /// The scoring request's own rules, reported under the options' names.
    func validate() throws {
        do throws(ScoreRequest.Invalid) {
            try ScoreRequest(asOf: Date(), top: top, jobs: jobs).validate()
        } catch {
            throw ValidationError("--\(error.field) \(error.reason)")
        }
        if asOf != nil && evaluateAt != nil { throw ValidationError("give --as-of or --evaluate-at, not both") }
        _ = try times.parse(asOf, option: "--as-of")
        _ = try times.parse(evaluateAt, option: "--evaluate-at")
        _ = try InputOptions.parseColumns(inputs.columns)
    }

    func run() async throws {
        let evaluationTime = try times.parse(evaluateAt, option: "--evaluate-at")
        let request = ScoreRequest(asOf: try evaluationTime ?? times.parse(asOf, option: "--as-of") ?? Date(), rankBy: rankBy, top: top, exact: exact, jobs: jobs,
                                   strict: inputs.strict, allowEmpty: allowEmpty, keepDuplicates: keepDuplicates)
        var loaded = try inputs.loader(times).scoringInputs(try inputs.sources(routeFiles: routeFiles))
        if evaluationTime != nil {
            // One time for every route: their own departures give way to it.
            for index in loaded.routes.indices { loaded.routes[index].departsAt = nil }
        }
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
            print(report.table(colour: colour, explain: explain, timeZone: try times.zone()), terminator: "")
        case .json: print(report.json(), terminator: "")
        case .csv: print(report.csv(), terminator: "")
        case .geojson: print(report.geoJSON(), terminator: "")
        case .html: print(MapPage.html(try MapScene.score(outcome, inputs: loaded)), terminator: "")
        }
        if !outcome.failedRoutes.isEmpty {
            printError(errorPrefix + "\(outcome.failedRoutes.count) routes could not be scored ("
                + outcome.failedRoutes.joined(separator: ", ") + "); the rest were")
            throw ExitStatus.partial.exitCode
        }
    }
}


func printError(_ message: String) {
    // Messages quote input (ids, names, bad values): control characters are shown, not acted on.
    FileHandle.standardError.write(Data((terminalSafe(message) + "\n").utf8))
}

/// Prints our own multi-line text (ArgumentParser's usage) on stderr: each line made safe as in
/// `printError`, the line breaks kept.
func printErrorLines(_ text: String) {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { terminalSafe(String($0)) }
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}

import ArgumentParser
import Foundation
import RiskCore
import RiskEngine
import RiskIO
import RiskValidation

enum ValidationFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, html
}

/// What `backtest` and `calibrate` share: the inputs, the cuts, the horizon and the radius.
struct BacktestOptions: ParsableArguments {
    @Option(name: .customLong("routes"), help: "Route GeoJSON file (repeatable): past movements, or `generate --places` routes.")
    var routeFiles: [String] = []

    @OptionGroup var inputs: InputOptions
    @OptionGroup var times: TimeOptions

    @Option(help: ArgumentHelp("Cut dates, comma-separated and increasing (ISO 8601).", valueName: "DATE,DATE,..."))
    var cuts: String

    @Option(help: ArgumentHelp("How long after each cut incidents are counted: Ny, Nm (30.44 days) or Nd.", valueName: "SPAN"))
    var horizon: String = "2y"

    @Option(help: ArgumentHelp("An incident within this distance of a route is on it: N or Nkm.", valueName: "KM"))
    var radius: String = "10km"

    @Option(help: "Bootstrap resamples behind each interval.") var bootstrap = 200
    @Option(help: "Seed of the bootstrap and the random baseline.") var seed: UInt64 = 1
    @Option(help: "Side of the area cells of the hazard-field measures (km).") var cellKm: Double = 10
    @Option(help: "Scoring tasks at once (default: the number of cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "table (default), json, or html (backtest only: a page of charts).") var format: ValidationFormat = .table

    func validate() throws {
        guard !routeFiles.isEmpty else { throw ValidationError("--routes: give at least one route file") }
    }

    static func parseCuts(_ text: String) throws -> [Date] {
        try text.split(separator: ",").map { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let date = DateParser().parseISO8601(trimmed) else {
                throw ValidationError("--cuts: \"\(trimmed)\" is not an ISO 8601 date")
            }
            return date
        }
    }

    static func parseHorizonDays(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("y", 365.25), ("m", 30.4375), ("d", 1)]
        for (suffix, days) in units where text.hasSuffix(suffix) {
            if let n = Double(text.dropLast(suffix.count)), n > 0 { return n * days }
        }
        throw ValidationError("--horizon: \"\(text)\" must be a positive number with y, m or d, such as 2y")
    }

    static func parseKm(_ text: String) throws -> Double {
        let number = text.hasSuffix("km") ? String(text.dropLast(2)) : text
        guard let km = Double(number), km > 0 else { throw ValidationError("--radius: \"\(text)\" must be a positive distance such as 10km") }
        return km
    }

    /// Loads everything, warning on stderr about skipped rows and features.
    func setup() throws -> BacktestSetup {
        let loader = try inputs.loader(times)
        let loaded = try loader.scoringInputs(try inputs.sources(routeFiles: routeFiles))
        for warning in loaded.warnings { printError("warning: \(warning)") }
        return BacktestSetup(routes: loaded.routes, incidents: loaded.incidents, zones: loaded.zones, model: loaded.model,
                             cuts: try BacktestOptions.parseCuts(cuts), horizonDays: try BacktestOptions.parseHorizonDays(horizon),
                             radiusKm: try BacktestOptions.parseKm(radius), bootstrap: bootstrap, seed: seed, cellKm: cellKm,
                             jobs: max(1, jobs))
    }

    /// The setup's own range checks, reported as usage errors.
    func checked(_ setup: BacktestSetup) throws -> BacktestSetup {
        do {
            try setup.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return setup
    }
}

struct BacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Measure how well the model's scores predicted where incidents happened after each cut date.",
        discussion: """
        At each cut, scores the routes with the incidents before it and counts the incidents within the radius of each \
        route in the horizon after it; reports Spearman, ROC AUC, top-decile capture and lift for score, exposure, mean \
        and peak hazard beside the baselines (past count per km, province, length, random), and the hazard field's share \
        of future incidents in its top 1 % and 5 % of area, with bootstrap intervals. See docs/validation.md.
        """)

    @OptionGroup var options: BacktestOptions

    func run() async throws {
        let setup = try options.checked(try options.setup())
        let result = try await backtest(setup)
        switch options.format {
        case .table: print(ValidationReport.table(result), terminator: "")
        case .json: print(ValidationReport.json(result, model: setup.model), terminator: "")
        case .html: print(ValidationCharts.html(result), terminator: "")
        }
    }
}

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose the model's kernel, half-life and severity by held-out skill, and fit its score scale, bands and rate.",
        discussion: """
        Rolling origin: at each cut after the first, the candidate with the best mean skill on the earlier cuts is judged \
        on that cut. The candidate best over all cuts is written to --out with a score scale and bands fitted to its \
        exposures, and its provenance and figures under "calibration". See docs/validation.md.
        """)

    @OptionGroup var options: BacktestOptions

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Candidate values: sigma_km=..., half_life_days=..., kernel=gaussian, severity=on,off.",
                               valueName: "NAME=V,V"))
    var grid: [String] = []

    @Option(help: "Write the calibrated model file here.") var out: String?

    func run() async throws {
        let backtestSetup = try options.checked(try options.setup())
        let parsedGrid: CalibrationGrid
        do {
            parsedGrid = try CalibrationGrid(parsing: grid)
        } catch {
            throw ValidationError("--grid: \(error)")
        }
        let result = try await calibrate(CalibrationSetup(backtest: backtestSetup, grid: parsedGrid))
        let sources = options.inputs.incidentFiles.map { URL(fileURLWithPath: $0).lastPathComponent }
        switch options.format {
        case .table: print(ValidationReport.table(result), terminator: "")
        case .json, .html: print(ValidationReport.calibrationJSON(result, sources: sources).serialized(pretty: true))
        }
        if let out {
            try ValidationReport.modelFile(result, sources: sources).write(to: URL(fileURLWithPath: out), atomically: true,
                                                                          encoding: .utf8)
            printError("wrote \(out)")
        }
    }
}

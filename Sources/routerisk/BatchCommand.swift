import ArgumentParser
import Foundation
import RiskCore
import RiskEngine
import RiskIO
import RiskBatch
import RiskReport
import RiskSQLite

/// The formats `batch` can produce.
enum BatchFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, html
}

struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Re-score every scheduled movement departing inside the window, each at its own departure time.",
        discussion: """
        A run where some movements fail still completes and exits 3 (partial failure).

        \(ExitStatus.helpTable)
        """
    )

    @OptionGroup var store: StoreOption
    @Option(help: "table (default on a terminal), json, or html (a map page that works offline).") var format: BatchFormat?
    @Option(help: "Movements per committed transaction.") var transactionSize = 250
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        guard transactionSize > 0 else { throw ValidationError("--transaction-size must be positive") }
    }

    func run() async throws {
        let options = try runOptions.batchOptions(transactionSize: transactionSize)
        let progress = ProgressReporter(label: "scoring")
        let terminal = isatty(STDOUT_FILENO) == 1
        let chosenFormat = format ?? (terminal ? .table : .json)
        let (outcome, text) = try await OpenedStore.with(store) { opened -> (BatchOutcome, String) in
            let outcome = try await runBatch(on: opened.store, options, asOfGiven: runOptions.asOf != nil, progress: progress.update)
            switch chosenFormat {
            case .html:
                return (outcome, try await batchPage(store: opened.store, run: outcome.run, escalations: outcome.escalations, model: options.model))
            case .json, .table:
                return (outcome, runSummary(outcome, json: chosenFormat == .json))
            }
        }
        progress.finish()
        try finishRun(outcome, printing: text)
    }
}

/// A finished run's summary as `batch` and `worker` print it: JSON, or a table (coloured on a
/// terminal unless NO_COLOR is set).
func runSummary(_ outcome: BatchOutcome, json: Bool) -> String {
    if json { return BatchReport.json(outcome) }
    let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    return BatchReport.table(outcome, colour: colour)
}

/// Prints a finished run's summary; a run where some movements failed ends in the partial status.
func finishRun(_ outcome: BatchOutcome, printing text: String) throws {
    print(text, terminator: "")
    if !outcome.failed.isEmpty {
        printError(errorPrefix + "\(outcome.failed.count) movements failed (listed in the output); the rest were scored")
        throw ExitStatus.partial.exitCode
    }
}

/// What a run is, as `batch` and `worker` take it: the window, its start, the model, and how to
/// score. Every worker of a run must be given the same.
struct RunOptions: ParsableArguments {
    @Option(help: "Start of the window (ISO 8601). Default: now, or the interrupted run's when resuming.") var asOf: String?
    @Option(help: "24h, 7d, 90m or all.") var window: String = "24h"
    @OptionGroup var times: TimeOptions
    @Option(help: "A model file to use instead of the store's.") var model: String?
    @Flag(help: "Recompute every movement instead of carrying the previous run forward.") var full = false
    @Flag(help: "Run even when no stored incident applies at any selected departure (scores on zones alone).") var allowEmpty = false
    @Option(help: "Scoring tasks at once (default: the number of cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount

    /// `--window` read; a usage error when it is not a duration.
    private func parsedWindow() throws -> BatchWindow {
        guard let parsed = BatchWindow(window) else {
            throw ValidationError("--window takes a duration like 24h, 7d or 90m up to \(BatchWindow.longestText), or all; got \"\(window)\"")
        }
        return parsed
    }

    func validate() throws {
        _ = try parsedWindow()
        guard (1...ScoreRequest.maxJobs).contains(jobs) else { throw ValidationError("--jobs must be between 1 and \(ScoreRequest.maxJobs)") }
        _ = try times.parse(asOf, option: "--as-of")
    }

    /// The options as the batch takes them, with `transactionSize` movements per transaction (or chunk).
    func batchOptions(transactionSize: Int) throws -> BatchOptions {
        BatchOptions(asOf: try times.parse(asOf, option: "--as-of") ?? Date(), window: try parsedWindow(), full: full,
                     transactionSize: transactionSize,
                     model: try model.map { try InputLoader().model(.file(URL(fileURLWithPath: $0))) }, jobs: jobs,
                     allowEmpty: allowEmpty)
    }
}

/// The batch on whichever store was opened (the runner is generic over its store).
func runBatch<Store: BatchStore>(on store: Store, _ options: BatchOptions, asOfGiven: Bool,
                                 progress: ((_ done: Int, _ total: Int) -> Void)?) async throws -> BatchOutcome {
    try await BatchRunner(store: store).run(options, asOfGiven: asOfGiven, progress: progress)
}

/// Progress on stderr: a redrawn bar when stderr is a terminal, else a plain line every few seconds.
final class ProgressReporter {
    private let label: String
    private let terminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var last = (done: 0, total: 0)

    init(label: String) {
        self.label = label
    }

    func update(done: Int, total: Int) {
        last = (done, total)
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (terminal ? 0.1 : 5) || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        // Before the first movement is done there is no rate to tell the time left from.
        let timeLeft = done == 0 && total > 0 ? "--:--" : String(format: "%d:%02d", Int(remaining) / 60, Int(remaining) % 60)
        if terminal {
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ [%@] %d/%d  %.0f/s  %@ left ", label, bar, done, total, rate, timeLeft).utf8))
        } else {
            printError(String(format: "%@: %d/%d done, %.0f/s, %@ left", label, done, total, rate, timeLeft))
        }
    }

    func finish() {
        if terminal && last.total > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

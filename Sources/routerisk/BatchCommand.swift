import ArgumentParser
import Foundation
import RiskCore
import RiskEngine
import RiskIO
import RiskBatch
import RiskReport
import RiskSQLite

/// Exit statuses of `batch`, so a scheduler can tell the cases apart.
enum BatchExit {
    /// Every selected movement was scored.
    static let allScored: Int32 = 0
    /// The run completed, but some movements failed (listed in the output).
    static let someFailed: Int32 = 3
    /// The run could not happen: no store, an invalid model, an unreadable input.
    static let couldNotRun: Int32 = 2
}

struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Re-score every scheduled movement departing inside the window, each at its own departure time.",
        discussion: """
        Exit status: 0 when every movement was scored, 3 when some failed (the run still completes), \
        2 when the run could not happen (store missing, model invalid).
        """
    )

    @OptionGroup var store: StoreOption
    @Option(help: "Start of the window (ISO 8601). Default: now, or the interrupted run's when resuming.") var asOf: String?
    @Option(help: "24h, 7d, 90m or all.") var window: String = "24h"
    @Option(help: "table (default on a terminal) or json.") var format: OutputFormat?
    @Option(help: "A model file to use instead of the store's.") var model: String?
    @Flag(help: "Recompute every movement instead of carrying the previous run forward.") var full = false
    @Option(help: "Movements per committed transaction.") var transactionSize = 250
    @Option(help: "Scoring tasks at once (default: the number of cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        do {
            try await execute()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("error: \(error)")
            throw ExitCode(BatchExit.couldNotRun)
        }
    }

    private func execute() async throws {
        guard let window = BatchWindow(window) else {
            throw ValidationError("--window takes a duration like 24h, 7d or 90m, or all; got \"\(self.window)\"")
        }
        guard transactionSize > 0 else { throw ValidationError("--transaction-size must be positive") }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
        let options = BatchOptions(asOf: try parseAsOf(asOf), window: window, full: full, transactionSize: transactionSize,
                                   model: try model.map { try InputLoader().model(.file(URL(fileURLWithPath: $0))) }, jobs: jobs)
        let progress = ProgressReporter(label: "scoring")
        let outcome = try await OpenedStore.with(store) { opened in
            try await runBatch(on: opened.store, options, asOfGiven: asOf != nil, progress: progress.update)
        }
        progress.finish()
        let terminal = isatty(STDOUT_FILENO) == 1
        switch format ?? (terminal ? .table : .json) {
        case .json: print(BatchReport.json(outcome), terminator: "")
        default:
            let colour = terminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            print(BatchReport.table(outcome, colour: colour), terminator: "")
        }
        if !outcome.failed.isEmpty { throw ExitCode(BatchExit.someFailed) }
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
        let timeLeft = String(format: "%d:%02d", Int(remaining) / 60, Int(remaining) % 60)
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

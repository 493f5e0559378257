import ArgumentParser
import Foundation
import RiskBatch
import RiskEngine
import RiskReport

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Score the current run together with other workers on a PostgreSQL store.",
        discussion: """
        Start any number of workers, on any machines, with the same options: the first opens the run (or resumes the \
        interrupted one) and splits its movements into chunks; every worker leases chunks until none is left. A chunk's \
        scores commit with its completion, so each movement is scored once; a worker that dies loses its lease and \
        another takes the chunk. The worker that completes the last chunk finishes the run and prints its summary, as \
        batch does; the others print what they did. Exit status as for batch: 0, 3 when the finished run has failures, \
        2 when the worker could not run.
        """
    )

    @OptionGroup var store: StoreOption
    @Option(help: "Start of the window (ISO 8601). Default: now, or the running run's.") var asOf: String?
    @Option(help: "24h, 7d, 90m or all.") var window: String = "24h"
    @Option(help: "table (default on a terminal) or json.") var format: OutputFormat?
    @Option(help: "A model file to use instead of the store's.") var model: String?
    @Flag(help: "Recompute every movement instead of carrying the previous run forward.") var full = false
    @Option(help: "Movements per chunk (one transaction each).") var chunkSize = 250
    @Option(help: "How long a silent worker keeps its chunk, in seconds (a dead connection loses it at once).") var lease: Double = 300
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
        guard chunkSize > 0, jobs > 0, lease > 0 else { throw ValidationError("--chunk-size, --jobs and --lease must be positive") }
        let batch = BatchOptions(asOf: try parseAsOf(asOf), window: window, full: full, transactionSize: chunkSize,
                                 model: try model.map { try InputLoader().model(.file(URL(fileURLWithPath: $0))) }, jobs: jobs)
        let host = ProcessInfo.processInfo.hostName
        let options = WorkerOptions(batch: batch, chunkSize: chunkSize, lease: lease, name: "\(host):\(getpid())")
        let report = try await OpenedStore.with(store) { opened -> WorkerReport in
            guard case .postgres(let server) = opened else {
                throw ValidationError("workers share a PostgreSQL store (--store postgres://...); on a file, run batch")
            }
            return try await BatchWorker(store: server).run(options, asOfGiven: asOf != nil)
        }
        printError("worker \(options.name): \(report.chunks) chunks (\(report.movements) movements) of run \(report.run)"
                   + (report.lost > 0 ? ", \(report.lost) completed first by others" : ""))
        guard let outcome = report.finished else {
            print("run \(report.run): this worker's part is done; another worker finished the run")
            return
        }
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

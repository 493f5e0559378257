import ArgumentParser
import Foundation
import RiskBatch
import RiskEngine
import RiskPostgres
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
        batch does; the others print what they did.

        \(ExitStatus.helpTable)
        """
    )

    @OptionGroup var store: StoreOption
    @Option(help: "table (default on a terminal) or json.") var format: WorkerFormat?
    @Option(help: "Movements per chunk (one transaction each).") var chunkSize = 250
    @Option(help: "How long a silent worker keeps its chunk, in seconds (a dead connection loses it at once).") var lease: Double = 300
    @OptionGroup var runOptions: RunOptions

    /// The formats a worker can print (the run's summary, when this worker finishes it).
    enum WorkerFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func validate() throws {
        guard chunkSize > 0 else { throw ValidationError("--chunk-size must be positive") }
        // A lease shorter than a second would expire while its chunk is scored; a day is longer than any chunk.
        guard lease.isFinite, (1...86_400).contains(lease) else { throw ValidationError("--lease must be between 1 and 86400 seconds") }
        guard PostgresStore.isURL(store.location) else {
            throw ValidationError("workers share a PostgreSQL store (--store postgres://...); on a file, run batch")
        }
    }

    func run() async throws {
        let batch = try runOptions.batchOptions(transactionSize: chunkSize)
        let host = ProcessInfo.processInfo.hostName
        let options = WorkerOptions(batch: batch, chunkSize: chunkSize, lease: lease, name: "\(host):\(getpid())")
        let report = try await OpenedStore.with(store) { opened -> WorkerReport in
            guard case .postgres(let server) = opened else {
                throw CommandFailure(.usage, "workers share a PostgreSQL store (--store postgres://...); on a file, run batch")
            }
            return try await BatchWorker(store: server).run(options, asOfGiven: runOptions.asOf != nil)
        }
        printError("worker \(options.name): \(report.chunks) chunks (\(report.movements) movements) of run \(report.run)"
                   + (report.lost > 0 ? ", \(report.lost) completed first by others" : ""))
        guard let outcome = report.finished else {
            print("run \(report.run): this worker's part is done; another worker finished the run")
            return
        }
        let json = (format ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json)) == .json
        try finishRun(outcome, printing: runSummary(outcome, json: json))
    }
}

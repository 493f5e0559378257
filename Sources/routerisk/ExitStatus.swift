import ArgumentParser
import Foundation
import RiskPostgres

/// The exit statuses of every command: one table, so a script tells the same kind of failure
/// apart the same way whatever it ran. README.md and `routerisk --help` print this table.
enum ExitStatus: Int32, CaseIterable {
    /// Everything asked for was done.
    case success = 0
    /// An input (a file, a stored row, a run or model asked for) is missing, unreadable or invalid.
    case badInput = 1
    /// The command line is wrong: an unknown option, a value out of range, a format the command
    /// cannot produce, a store that `store init` would overwrite.
    case usage = 2
    /// Some items failed and the rest were done (the output lists the failures).
    case partial = 3
    /// The store (or a server) cannot be reached or opened.
    case unreachable = 4

    var meaning: String {
        switch self {
        case .success: "success"
        case .badInput: "bad input data (a file, a stored row, a run or model asked for)"
        case .usage: "usage error (options, formats, a store init would overwrite)"
        case .partial: "partial failure: some items failed, the rest were done"
        case .unreachable: "the store or server cannot be reached or opened"
        }
    }

    /// The table as `--help` shows it.
    static var helpTable: String {
        "Exit status:\n" + allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }

    var exitCode: ExitCode { ExitCode(rawValue) }
}

/// A failure the command line reports with its own exit status (the rest are bad input).
struct CommandFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}

/// Every error message starts with this, whatever the command.
let errorPrefix = "routerisk: error: "

/// Prints `error` under the common prefix and returns the status of its kind. Help and version
/// requests print to stdout and succeed.
func report(_ error: Error, root: RouteRisk.Type) -> ExitStatus {
    if let failure = error as? CommandFailure {
        printError(errorPrefix + failure.message)
        return failure.status
    }
    if let lost = error as? PostgresStoreError, lost.connectionLost {
        printError(errorPrefix + "\(lost)")
        return .unreachable
    }
    if let exit = error as? ExitCode {
        // Thrown after the command has printed what went wrong.
        return ExitStatus(rawValue: exit.rawValue) ?? .badInput
    }
    let parserCode = root.exitCode(for: error)
    let message = root.fullMessage(for: error)
    if parserCode == .success {
        print(message)
        return .success
    }
    if parserCode == .validationFailure {
        // ArgumentParser's usage errors: its "Error: " becomes the common prefix.
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
        printErrorLines(errorPrefix + text)
        return .usage
    }
    printError(errorPrefix + "\(error)")
    return .badInput
}

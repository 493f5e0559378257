import ArgumentParser
import Foundation

@main
struct RouteRisk: AsyncParsableCommand {
    /// The version `routerisk --version` prints.
    static let version = "0.11.0"

    static let configuration = CommandConfiguration(
        commandName: "routerisk",
        abstract: "Score proposed routes by their exposure to past security incidents.",
        discussion: ExitStatus.helpTable,
        version: version,
        subcommands: [Score.self, Serve.self, TokenCommand.self, BatchCommand.self, WorkerCommand.self, StoreCommand.self, Generate.self, Measure.self,
                      BacktestCommand.self, CalibrateCommand.self, Manual.self],
        defaultSubcommand: nil
    )

    /// ArgumentParser's own `main`, but every error is reported under one prefix and exits with
    /// its status from `ExitStatus` (ArgumentParser alone exits 64 for usage errors, 1 for the rest).
    static func main() async {
        let status: ExitStatus
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            status = .success
        } catch {
            status = report(error, root: RouteRisk.self)
        }
        Foundation.exit(status.rawValue)
    }
}

import ArgumentParser

@main
struct RouteRisk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routerisk",
        abstract: "Score proposed routes by their exposure to past security incidents.",
        subcommands: [Score.self, BatchCommand.self, WorkerCommand.self, StoreCommand.self, Generate.self, Measure.self],
        defaultSubcommand: nil
    )
}

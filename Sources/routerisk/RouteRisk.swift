import ArgumentParser

@main
struct RouteRisk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routerisk",
        abstract: "Score proposed routes by their exposure to past security incidents.",
        subcommands: [Score.self, Serve.self, TokenCommand.self, BatchCommand.self, StoreCommand.self, Generate.self, Measure.self,
                      BacktestCommand.self, CalibrateCommand.self],
        defaultSubcommand: nil
    )
}

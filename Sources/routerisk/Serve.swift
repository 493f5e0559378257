import ArgumentParser
import Foundation
import Logging
import RiskEngine
import RiskServer
import RiskSQLite

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve scores over HTTP for planning tools (see docs/api.md).",
        discussion: """
        Scores against the store's model, zones and incidents with --store, else the bundled ones \
        unless others are given. Stops \
        gracefully on SIGTERM or SIGINT: no new connections, requests in flight finish.
        """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the one chosen is printed).")
    var port = 8080

    @Option(help: "The store to score against and to serve movements and runs from (default: $ROUTERISK_STORE; none: the files below).")
    var store: String?

    @OptionGroup var inputs: InputOptions
    @OptionGroup var times: TimeOptions

    @Option(help: "Token file: one `ROLE SHA256-HEX [LABEL]` a line (see `routerisk token`). Without it reads are open and writes refused.")
    var tokens: String?

    @Option(help: "Allow browser calls from this origin (or *). Default: CORS off.")
    var corsOrigin: String?

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes = ServerLimits().maxBodyBytes

    @Option(help: "Most routes in one scoring request.")
    var maxRoutes = ServerLimits().maxRoutes

    @Option(help: "Most vertices, over all routes, in one scoring request.")
    var maxVertices = ServerLimits().maxVertices

    @Option(help: "Most route-km, over all routes, in one scoring request.")
    var maxRouteKm = ServerLimits().maxRouteKm

    @Option(help: "Longest a request may take, in seconds.")
    var timeLimit = 30.0

    @Option(help: "Scoring requests at once (default: the number of cores).")
    var slots = ServerLimits().scoringSlots

    @Option(help: "Scoring requests that may wait for a slot; more get 503 with Retry-After.")
    var queue = ServerLimits().queueLength

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if maxBodyBytes < 1 || maxRoutes < 1 || maxVertices < 2 || !(maxRouteKm > 0) { throw ValidationError("limits must be positive") }
        if !(timeLimit > 0) { throw ValidationError("--time-limit must be positive") }
        if slots < 1 { throw ValidationError("--slots must be at least 1") }
        if queue < 0 { throw ValidationError("--queue must be 0 or more") }
    }

    func run() async throws {
        let bundle = try BundledData.locate()
        var options = ServerOptions(openAPIDocument: try String(contentsOf: bundle.openAPIDocument, encoding: .utf8))
        options.host = host
        options.port = port
        options.corsOrigin = corsOrigin
        if let tokens { options.tokens = try TokenTable.read(contentsOf: URL(fileURLWithPath: tokens)) }
        options.limits.maxBodyBytes = maxBodyBytes
        options.limits.maxRoutes = maxRoutes
        options.limits.maxVertices = maxVertices
        options.limits.maxRouteKm = maxRouteKm
        options.limits.timeLimit = .milliseconds(Int((timeLimit * 1000).rounded()))
        options.limits.scoringSlots = slots
        options.limits.queueLength = queue

        let storePath = store ?? ProcessInfo.processInfo.environment["ROUTERISK_STORE"]
        let opened = try storePath.map { try SQLiteStore(path: $0) }
        let base: ScoringBase
        if let opened {
            base = try await ScoringBase.load(from: opened)
        } else {
            base = try inputs.loader(times).scoringBase(try inputs.sources(routeFiles: []))
            base.warnings.forEach { printError("warning: \($0)") }
        }
        let snapshot = ScoringSnapshot(base: base)

        // Log lines go to stderr; they carry method, route, status and time, never headers.
        let logger = Logger(label: "routerisk.serve") { StreamLogHandler.standardError(label: $0) }
        let server = RouteRiskServer(options: options, snapshot: snapshot, store: opened, logger: logger)
        let host = host
        try await server.run { port in
            printError("routerisk: listening on http://\(host):\(port)")
        }
    }
}

struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a bearer token for `routerisk serve`.",
        discussion: """
        Prints the new token on stdout (the only time it is shown) and appends its SHA-256 digest \
        with the role to the token file, which never holds the token itself.
        """
    )

    @Option(help: "read or write (a write token may also read).")
    var role: String

    @Option(help: "A note on who holds the token.")
    var label = ""

    @Option(help: "The token file to append to.")
    var file: String

    func run() throws {
        guard let role = Role(rawValue: role) else { throw ValidationError("--role must be read or write") }
        guard !label.contains("\n") else { throw ValidationError("--label must be one line") }
        let (token, line) = TokenTable.newToken(role: role, label: label)
        let url = URL(fileURLWithPath: file)
        var text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += line + "\n"
        // Check the whole file still reads before replacing it.
        _ = try TokenTable(parsing: text, file: file)
        try text.write(to: url, atomically: true, encoding: .utf8)
        print(token)
    }
}

import Foundation
import Geo
import Hummingbird
import Logging
import RiskBatch
import RiskCore
import RiskEngine
import RiskIO
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The HTTP front end of RouteRisk: a thin layer that parses requests, checks tokens and limits,
/// calls the engine and the store, and writes their answers. It holds no scoring policy.
public final class RouteRiskServer: Sendable {
    let options: ServerOptions
    let metrics = ServerMetrics()
    let gate: ScoringGate
    /// The threads that handle requests (and their timers), and one thread per scoring slot.
    let requestThreads: WorkerThreads
    let scoringThreads: WorkerThreads
    let logger: Logger
    let store: StoreAccess?
    private let current: Mutex<ScoringSnapshot>
    private let serviceGroup = Mutex<ServiceGroup?>(nil)

    /// Without a store, the store endpoints answer 404 and readiness checks only the snapshot.
    public init(options: ServerOptions, snapshot: ScoringSnapshot, store: sending (any BatchStore)? = nil, logger: Logger) {
        self.options = options
        if let store { self.store = StoreAccess(store) } else { self.store = nil }
        self.logger = logger
        gate = ScoringGate(slots: max(1, options.limits.scoringSlots), queueLength: max(0, options.limits.queueLength))
        requestThreads = WorkerThreads(count: max(2, ProcessInfo.processInfo.activeProcessorCount), name: "routerisk-http")
        scoringThreads = WorkerThreads(count: gate.slots, name: "routerisk-scoring")
        current = Mutex(snapshot)
    }

    /// The snapshot new requests score against; a request keeps the one it started with.
    public var snapshot: ScoringSnapshot {
        current.withLock { $0 }
    }

    /// Puts in a new snapshot for the requests that start from now on.
    public func swap(to snapshot: ScoringSnapshot) {
        current.withLock { $0 = snapshot }
        metrics.recordSnapshotSwap()
    }

    /// Serves until a signal in `gracefulShutdownSignals` (or `shutdown()`) asks it to stop; then
    /// it stops accepting connections and lets the requests in flight finish, up to the time limit.
    /// `onRunning` hears the bound port (useful when `options.port` is 0).
    public func run(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let port = options.port
        let app = Application(
            router: router(),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: gracefulShutdownSignals,
                                                      logger: logger)
        configuration.maximumGracefulShutdownDuration = options.limits.timeLimit + .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        serviceGroup.withLock { $0 = group }
        defer {
            scoringThreads.stop()
            requestThreads.stop()
        }
        // Every task of the service group, and so every connection and request, runs on the
        // server's own threads.
        try await withTaskExecutorPreference(requestThreads) {
            try await group.run()
        }
    }

    /// Asks a running server to stop as SIGTERM would.
    public func shutdown() async {
        await serviceGroup.withLock { $0 }?.triggerGracefulShutdown()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(limits: options.limits))
        if let origin = options.corsOrigin {
            router.add(middleware: CORSMiddleware(allowOrigin: origin == "*" ? .all : .custom(origin),
                                                  allowHeaders: [.accept, .authorization, .contentType],
                                                  allowMethods: [.get, .post, .options]))
        }
        router.add(middleware: AuthMiddleware(tokens: options.tokens))

        router.get("/healthz") { _, _ in
            JSONResponse(.object([.init("status", "ok")]))
        }
        router.get("/readyz") { _, _ in
            try await self.readiness()
        }
        router.get("/metrics") { _, _ in
            let load = self.gate.load
            let snapshot = self.snapshot
            let text = self.metrics.exposition(gauges: [
                ("routerisk_scoring_running", "Scoring requests running now.", Double(load.running)),
                ("routerisk_scoring_waiting", "Scoring requests waiting for a slot now.", Double(load.waiting)),
                ("routerisk_snapshot_revision", "The scoring snapshot's revision (1 at start, one more per swap).",
                 Double(snapshot.revision)),
                ("routerisk_snapshot_incidents", "Incidents in the scoring snapshot.", Double(snapshot.base.incidents.count)),
            ])
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/v1/score") { request, context in
            try await self.score(request, context: context)
        }
        router.get("/v1/movements") { request, _ in try await self.movements(request) }
        router.get("/v1/movements/{id}") { _, context in try await self.movement(id: context.parameters.require("id")) }
        router.get("/v1/runs") { _, _ in try await self.runs() }
        router.get("/v1/runs/{id}") { _, context in try await self.run(id: context.parameters.require("id")) }
        router.post("/v1/incidents") { request, _ in try await self.importIncidents(request) }
        router.post("/v1/movements") { request, _ in try await self.importMovements(request) }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: self.options.openAPIDocument)))
        }
        return router
    }

    /// Ready when the snapshot is loaded (it is from the start) and the store answers.
    private func readiness() async throws -> JSONResponse {
        var storeState: JSONValue = "none"
        if let store {
            do {
                _ = try await store.use { try await $0.counts() }
                storeState = "ok"
            } catch {
                throw Problem(.notReady, status: .serviceUnavailable, title: "Not ready", detail: "the store cannot be read: \(error)",
                              headers: [.retryAfter: String(options.limits.retryAfterSeconds)])
            }
        }
        let snapshot = snapshot
        return JSONResponse(.object([
            .init("status", "ready"),
            .init("snapshot", .object([
                .init("revision", .number(Double(snapshot.revision))),
                .init("incidents", .number(Double(snapshot.base.incidents.count))),
                .init("zones", .number(Double(snapshot.base.zones.count))),
            ])),
            .init("store", storeState),
        ]))
    }
}

/// A JSON answer written with the project's own serializer (so numbers print as the CLI prints them).
struct JSONResponse: ResponseGenerator {
    var value: JSONValue
    var status: HTTPResponse.Status = .ok

    init(_ value: JSONValue, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: value.serialized(pretty: true) + "\n")))
    }
}

/// What the server scores against: the prepared model, zones and incidents, swapped whole after
/// an import; requests in flight keep the one they started with.
public struct ScoringSnapshot: Sendable {
    public var base: ScoringBase
    /// 1 for the first snapshot, one more for each swap.
    public var revision: Int

    public init(base: ScoringBase, revision: Int = 1) {
        self.base = base
        self.revision = revision
    }
}

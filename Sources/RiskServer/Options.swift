import Foundation

/// The limits that keep one client from taking the server: each is answered with a
/// problem naming the limit (413 for size, 503 with `Retry-After` for load and time).
public struct ServerLimits: Sendable, Equatable {
    /// Largest request body, in bytes.
    public var maxBodyBytes = 8 << 20
    /// Most routes in one scoring request.
    public var maxRoutes = 1_000
    /// Most vertices, over all routes, in one scoring request.
    public var maxVertices = 500_000
    /// Most route-km, over all routes, in one scoring request: the cost of scoring grows with it.
    public var maxRouteKm = 100_000.0
    /// Longest a request may take, waiting for a scoring slot included.
    public var timeLimit: Duration = .seconds(30)
    /// Scoring requests running at once; each scores on one task, so one per core keeps the cores
    /// busy without making requests share a core.
    public var scoringSlots = ProcessInfo.processInfo.activeProcessorCount
    /// Scoring requests that may wait for a slot; more are refused with 503 at once.
    public var queueLength = 64
    /// The `Retry-After` (seconds) sent with a 503.
    public var retryAfterSeconds = 1

    public init() {}
}

/// How the server listens and whom it lets in.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (the tests use that); `onRunning` tells which.
    public var port = 8080
    public var limits = ServerLimits()
    /// With no tokens, read endpoints are open and write endpoints refuse every request.
    public var tokens = TokenTable()
    /// The one origin (or `*`) allowed to call from a browser; nil leaves CORS off.
    public var corsOrigin: String?
    /// The OpenAPI document served at `/openapi.json` (the repository's `docs/openapi.json`).
    public var openAPIDocument: String

    public init(openAPIDocument: String) {
        self.openAPIDocument = openAPIDocument
    }
}

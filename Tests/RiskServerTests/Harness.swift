import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Logging
import RiskBatch
import RiskCore
import RiskEngine
import RiskIO
import Synchronization
import Testing
@testable import RiskServer

/// The repository's root, for the bundled data and docs/openapi.json.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The bundled model, zones and incidents, read once.
let bundledBase: ScoringBase = {
    let zoneFolder = packageRoot.appendingPathComponent("data/zones")
    let zoneFiles = try! FileManager.default.contentsOfDirectory(atPath: zoneFolder.path).filter { $0.hasSuffix(".geojson") }.sorted()
    let sources = ScoringSources(model: .file(packageRoot.appendingPathComponent("data/model.json")),
                                 zones: zoneFiles.map { .file(zoneFolder.appendingPathComponent($0)) },
                                 incidents: [.file(packageRoot.appendingPathComponent("seeds/incidents.csv"))], routes: [])
    return try! InputLoader().scoringBase(sources)
}()

let openAPIText = try! String(contentsOf: packageRoot.appendingPathComponent("docs/openapi.json"), encoding: .utf8)

/// Log lines kept in memory, so a test can check what the server logged.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
        }
    }
}

struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { get throws { try JSONValue.parse(body) } }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// A server on an ephemeral loopback port, talked to over real HTTP.
struct RunningServer {
    let server: RouteRiskServer
    let port: Int
    let task: Task<Void, any Error>
    let session: URLSession

    func request(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:],
                 timeout: TimeInterval = 600) async throws -> HTTPAnswer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = timeout
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, token: String? = nil) async throws -> HTTPAnswer {
        try await request("GET", path, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    func post(_ path: String, _ body: String, token: String? = nil, contentType: String = "application/geo+json") async throws -> HTTPAnswer {
        var headers = ["Content-Type": contentType]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await request("POST", path, body: Data(body.utf8), headers: headers)
    }
}

/// Threads for the tests' own tasks: the cooperative pool is shared with every other suite, whose
/// long computations can hold it for many seconds, and a test that times or orders requests must
/// not wait behind them.
let testThreads = WorkerThreads(count: 4, name: "test")

/// Starts a server, runs `body` against it, then shuts it down gracefully and waits for it.
func withServer<T>(options configure: (inout ServerOptions) -> Void = { _ in }, snapshot: ScoringSnapshot = ScoringSnapshot(base: bundledBase),
                   store: sending (any BatchStore)? = nil,
                   logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                   _ body: (RunningServer) async throws -> T) async throws -> T {
    var options = ServerOptions(openAPIDocument: openAPIText)
    options.port = 0
    configure(&options)
    let server = RouteRiskServer(options: options, snapshot: snapshot, store: store, logger: logger)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let task = Task {
        try await server.run(gracefulShutdownSignals: []) { port in continuation.yield(port) }
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = 64
    let running = RunningServer(server: server, port: port, task: task, session: URLSession(configuration: configuration))
    do {
        let result = try await withTaskExecutorPreference(testThreads) { () async throws -> T in try await body(running) }
        await server.shutdown()
        try await task.value
        return result
    } catch {
        await server.shutdown()
        _ = try? await task.value
        throw error
    }
}

/// A problem answer's JSON, checked for RFC 9457's members and media type.
func problem(_ answer: HTTPAnswer, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
    #expect(answer.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    let json = try answer.json
    #expect(json["status"]?.numberValue == Double(status), sourceLocation: sourceLocation)
    #expect(json["type"]?.stringValue?.hasPrefix("urn:routerisk:problem:") == true, sourceLocation: sourceLocation)
    #expect(json["title"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(json["detail"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    return json
}

import Foundation
import Geo
import Hummingbird
import RiskCore
import RiskEngine
import RiskIO
import RiskReport

/// `POST /v1/score`: the body's routes scored by the engine's use case and written as
/// `routerisk score` writes them. Everything here is translation: HTTP in, `ScoreRequest` and
/// `Report` out.
extension RouteRiskServer {
    /// The answer formats, chosen by `Accept`, as `--format` chooses them on the command line.
    enum Format: String, CaseIterable {
        case json = "application/json"
        case geojson = "application/geo+json"
        case csv = "text/csv"
        case table = "text/plain"
        /// The offline map page of `--format html` (docs/html-report.md).
        case html = "text/html"
    }

    /// The query parameters `/v1/score` reads; any other is refused, so a misspelt option
    /// cannot be silently ignored.
    static let scoreParameters: Set<String> = ["as_of", "rank_by", "top", "exact", "explain", "strict", "allow_empty"]

    func score(_ request: Request, context: some RequestContext) async throws -> Response {
        let query = try ScoreQuery(Array(request.uri.queryParameters))
        let format = try Self.format(accepting: request.headers[.accept])
        try Self.checkContentType(request.headers[.contentType])
        let body = try await readBody(request)

        let loaded = try InputLoader(strict: query.strict).routes([.data(body, name: "body")])
        let routes = loaded.items
        if routes.isEmpty, !loaded.warnings.isEmpty {
            // Nothing left to score: the warnings are the answer.
            throw Problem.invalidInput(InputError(diagnostics: loaded.warnings))
        }
        let limits = options.limits
        if routes.count > limits.maxRoutes {
            throw Problem.limitExceeded("routes", limit: limits.maxRoutes, got: routes.count)
        }
        let vertices = routes.reduce(0) { $0 + $1.shape.coordinates.count }
        if vertices > limits.maxVertices {
            throw Problem.limitExceeded("vertices", limit: limits.maxVertices, got: vertices)
        }

        // A route that cannot be measured fails when it is scored; it adds nothing here.
        let routeKm = routes.reduce(0.0) { $0 + ((try? Geodesic.wgs84.lengthKm(of: $1.shape)) ?? 0) }
        if routeKm > limits.maxRouteKm {
            throw Problem.limitExceeded("route-km", limit: Int(limits.maxRouteKm), got: Int(routeKm.rounded(.up)))
        }

        // One task per request: the gate's slots, one per core, are the parallelism.
        let scoring = ScoreRequest(asOf: query.asOf ?? Date(), rankBy: query.rankBy, top: query.top, exact: query.exact,
                                   jobs: 1, strict: query.strict, allowEmpty: query.allowEmpty)
        let base = snapshot.base
        let routeWarnings = loaded.warnings
        let outcome = try await withTimeLimit(limits.timeLimit, on: requestThreads) { [gate, scoringThreads] in
            try await gate.withSlot {
                try await withTaskExecutorPreference(scoringThreads) {
                    try await scoring.run(routes, routeWarnings: routeWarnings, on: base)
                }
            }
        }
        let failed = outcome.warnings.count - base.warnings.count - routeWarnings.count
        metrics.recordScores(succeeded: routes.count - failed, failed: failed)

        let report = Report(outcome)
        let text: String
        switch format {
        case .json: text = report.json()
        case .geojson: text = report.geoJSON()
        case .csv: text = report.csv()
        case .table: text = report.table(colour: false, explain: query.explain)
        case .html:
            let inputs = ScoringInputs(model: base.model, zones: base.zones, incidents: base.incidents, routes: routes)
            text = MapPage.html(try MapScene.score(outcome, inputs: inputs))
        }
        let contentType = format == .json || format == .geojson ? format.rawValue : format.rawValue + "; charset=utf-8"
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The body, refused with 413 past the size limit (before reading it when its length is declared).
    func readBody(_ request: Request) async throws -> Data {
        let limit = options.limits.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw Problem.limitExceeded("body size in bytes", limit: limit, got: declared)
        }
        let buffer = try await request.body.collect(upTo: limit)
        return Data(buffer.readableBytesView)
    }

    /// GeoJSON only: the route readers read no other format yet.
    static func checkContentType(_ header: String?) throws {
        let mediaType = header?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard let mediaType, mediaType == "application/geo+json" || mediaType == "application/json" else {
            throw Problem(.unsupportedMediaType, status: .unsupportedMediaType, title: "Unsupported media type",
                          detail: "send the routes as GeoJSON with Content-Type application/geo+json or application/json"
                              + (header.map { ", not \($0)" } ?? " (the request had none)"),
                          items: [Problem.Item(source: "header", field: "Content-Type", reason: "must be application/geo+json or application/json")])
        }
    }

    /// The first format the `Accept` header allows, in the header's order (weights are not
    /// weighed: planning tools send one type); JSON when any will do.
    static func format(accepting header: String?) throws -> Format {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        for range in header.split(separator: ",") {
            let mediaType = range.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            if mediaType == "*/*" || mediaType == "application/*" { return .json }
            if mediaType == "text/*" { return .table }
            if let format = Format(rawValue: mediaType) { return format }
        }
        throw Problem(.notAcceptable, status: .notAcceptable, title: "Not acceptable",
                      detail: "scores can be sent as " + Format.allCases.map(\.rawValue).joined(separator: ", ") + ", not \(header)",
                      items: [Problem.Item(source: "header", field: "Accept", reason: "no supported media type")])
    }
}

/// The query options of `/v1/score`, named as on the command line with underscores.
struct ScoreQuery {
    var asOf: Date?
    var rankBy = RankKey.exposure
    var top: Int?
    var exact = false
    var explain = false
    var strict = false
    /// Score on zones alone when no incident applies (else a 422 problem says why).
    var allowEmpty = false

    init(_ parameters: [(key: Substring, value: Substring)]) throws {
        for (key, value) in parameters {
            let name = String(key), text = String(value)
            switch name {
            case "as_of":
                guard let date = DateParser().parseISO8601(text) else {
                    throw Problem.invalidQuery(name, "\"\(text)\" is not an ISO 8601 date or date-time")
                }
                asOf = date
            case "rank_by":
                guard let key = RankKey(rawValue: text) else {
                    throw Problem.invalidQuery(name, "must be one of " + RankKey.allCases.map(\.rawValue).joined(separator: ", ") + ", got \"\(text)\"")
                }
                rankBy = key
            case "top":
                guard let count = Int(text), count >= 1 else {
                    throw Problem.invalidQuery(name, "must be a whole number of at least 1, got \"\(text)\"")
                }
                top = count
            case "exact": exact = try Self.flag(name, text)
            case "explain": explain = try Self.flag(name, text)
            case "strict": strict = try Self.flag(name, text)
            case "allow_empty": allowEmpty = try Self.flag(name, text)
            default:
                throw Problem.invalidQuery(name, "is not an option of this endpoint (it takes "
                    + RouteRiskServer.scoreParameters.sorted().joined(separator: ", ") + ")")
            }
        }
    }

    /// `true`, `false`, `1`, `0`, or no value (`?exact`) for true.
    static func flag(_ name: String, _ text: String) throws -> Bool {
        switch text.lowercased() {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw Problem.invalidQuery(name, "must be true or false, got \"\(text)\"")
        }
    }
}

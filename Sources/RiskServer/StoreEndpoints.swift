import Foundation
import Geo
import Hummingbird
import RiskBatch
import RiskCore
import RiskEngine
import RiskIO
import RiskReport

/// The store behind the server, used by one request at a time: an adapter belongs to one task
/// at a time (SQLite's connection does), and an import and the snapshot it swaps in must not
/// interleave with another import. The one-slot gate is what makes the unchecked `Sendable` true.
final class StoreAccess: @unchecked Sendable {
    private let store: any BatchStore
    private let turn = ScoringGate(slots: 1, queueLength: Int.max)

    init(_ store: sending any BatchStore) {
        self.store = store
    }

    func use<T: Sendable>(_ body: @Sendable (any BatchStore) async throws -> T) async throws -> T {
        try await turn.withSlot { try await body(self.store) }
    }
}

extension ScoringBase {
    /// The model, zones and incidents a store holds, prepared for scoring.
    public static func load(from store: any BatchStore) async throws -> ScoringBase {
        try ScoringBase(model: try await store.model(), zones: try await store.zones(),
                        incidents: try await store.incidents().map(\.incident))
    }
}

/// The store endpoints: reads of movements and runs, and imports that swap in a new snapshot.
extension RouteRiskServer {
    func requireStore() throws -> StoreAccess {
        guard let store else {
            throw Problem.notFound("this server has no store; start it with --store to read movements and runs or import")
        }
        return store
    }

    // MARK: Reads

    /// `GET /v1/movements?from=&to=&band=&label=`: movements departing in [from, to) (either end
    /// open), with their latest score; `band` keeps those whose latest score is in that band,
    /// `label` those whose labels contain it (ignoring case).
    func movements(_ request: Request) async throws -> JSONResponse {
        var from: Date?, to: Date?, band: Band?, label: String?
        for (key, value) in request.uri.queryParameters {
            let name = String(key), text = String(value)
            switch name {
            case "from", "to":
                guard let date = DateParser().parseISO8601(text) else {
                    throw Problem.invalidQuery(name, "\"\(text)\" is not an ISO 8601 date or date-time")
                }
                if name == "from" { from = date } else { to = date }
            case "band":
                guard let chosen = Band(rawValue: text.uppercased()) else {
                    throw Problem.invalidQuery(name, "must be one of " + Band.allCases.map(\.rawValue).joined(separator: ", ") + ", got \"\(text)\"")
                }
                band = chosen
            case "label":
                label = text
            default:
                throw Problem.invalidQuery(name, "is not an option of this endpoint (it takes band, from, label, to)")
            }
        }
        let (start, end, text) = (from, to, label)
        let (movements, latest) = try await requireStore().use { store in
            let movements = try await store.movements().filter { movement in
                (start.map { movement.departsAt >= $0 } ?? true) && (end.map { movement.departsAt < $0 } ?? true)
                    && (text.map { movement.labels.range(of: $0, options: .caseInsensitive) != nil } ?? true)
            }
            return (movements, try await Self.latestScores(of: Set(movements.map(\.id)), in: store))
        }
        let listed = movements.filter { movement in band.map { latest[movement.id]?.score.result.band == $0 } ?? true }
        return JSONResponse(.object([
            .init("movements", .array(listed.map { Self.movementJSON($0, latest: latest[$0.id], explain: false) })),
        ]))
    }

    /// `GET /v1/movements/{id}`: the movement and its latest score with the explanation.
    func movement(id: String) async throws -> JSONResponse {
        let (movement, latest) = try await requireStore().use { store in
            let movement = try await store.movements().first { $0.id == id }
            let latest = movement == nil ? [:] : try await Self.latestScores(of: [id], in: store)
            return (movement, latest[id])
        }
        guard let movement else { throw Problem.notFound("no movement \"\(id)\"") }
        return JSONResponse(Self.movementJSON(movement, latest: latest, explain: true))
    }

    /// `GET /v1/runs`: every run, oldest first.
    func runs() async throws -> JSONResponse {
        let runs = try await requireStore().use { try await $0.runs() }
        return JSONResponse(.object([.init("runs", .array(runs.map(Self.runJSON)))]))
    }

    /// `GET /v1/runs/{id}`: a run's report as `routerisk batch --format json` prints it.
    func run(id text: String) async throws -> Response {
        guard let id = Int(text) else { throw Problem.notFound("no run \"\(text)\" (run ids are whole numbers)") }
        let summary = try await requireStore().use { store -> BatchOutcome? in
            guard let run = try await store.run(id: id) else { return nil }
            return try await Self.summary(of: run, in: store)
        }
        guard let summary else { throw Problem.notFound("no run \(id)") }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(string: BatchReport.json(summary))))
    }

    /// Opens the store's type for the generic runner.
    private static func summary(of run: RunRecord, in store: some BatchStore) async throws -> BatchOutcome {
        try await BatchRunner(store: store).summary(of: run)
    }

    /// Each movement's score in the newest completed run that scored it.
    private static func latestScores(of ids: Set<String>, in store: any BatchStore) async throws -> [String: LatestScore] {
        var found: [String: LatestScore] = [:]
        for run in try await store.runs().reversed() where run.status == .completed {
            if found.count == ids.count { break }
            for score in try await store.scores(run: run.id) where ids.contains(score.movementID) && found[score.movementID] == nil {
                found[score.movementID] = LatestScore(run: run.id, score: score)
            }
        }
        return found
    }

    struct LatestScore: Sendable {
        var run: Int
        var score: MovementScore
    }

    private static func movementJSON(_ movement: Movement, latest: LatestScore?, explain: Bool) -> JSONValue {
        var score: JSONValue = .null
        if let latest {
            let result = latest.score.result
            // The list carries the headline; one movement carries the spec's whole route object.
            var members: [JSONValue.Member] = [.init("run_id", .number(Double(latest.run)))]
            if explain {
                members += Report.routeJSON(rank: nil, result).objectMembers ?? []
            } else {
                members += [.init("evaluated_at", .string(iso8601(result.evaluatedAt))), .init("exposure", measure(result.exposure)),
                            .init("score", measure(result.score)), .init("band", .string(result.band.rawValue))]
            }
            score = .object(members)
        }
        return .object([
            .init("id", .string(movement.id)), .init("route_id", .string(movement.routeID)),
            .init("departs_at", .string(iso8601(movement.departsAt))), .init("status", .string(movement.status.rawValue)),
            .init("labels", .string(movement.labels)), .init("latest_score", score),
        ])
    }

    private static func runJSON(_ run: RunRecord) -> JSONValue {
        var members = BatchReport.runJSON(run).objectMembers ?? []
        members += [
            .init("started_at", .string(iso8601(run.startedAt))),
            .init("finished_at", run.finishedAt.map { .string(iso8601($0)) } ?? .null),
            .init("window", .string(run.window.description)), .init("mode", .string(run.mode.rawValue)),
            .init("selected", .number(Double(run.counters.selected))),
        ]
        return .object(members)
    }

    // MARK: Imports

    /// `POST /v1/incidents`: CSV or GeoJSON, read as `routerisk store import incidents` reads a
    /// file; then the server scores against the new incidents from the next request on.
    func importIncidents(_ request: Request) async throws -> JSONResponse {
        let (loader, source) = try await importSource(request, allowing: [.csv, .geojson])
        let read = try loader.incidents([source])
        try Self.refuseEmpty(read.items.isEmpty, warnings: read.warnings)
        let (counts, snapshot) = try await requireStore().use { store in
            let counts = try await store.upsert(incidents: read.items)
            // Built inside the store's turn, so two imports swap in their snapshots in order.
            let snapshot = ScoringSnapshot(base: try await ScoringBase.load(from: store), revision: self.snapshot.revision + 1)
            self.swap(to: snapshot)
            return (counts, snapshot)
        }
        return JSONResponse(.object([
            .init("added", .number(Double(counts.added))), .init("changed", .number(Double(counts.changed))),
            .init("warnings", .array(read.warnings.map { .string($0.description) })),
            .init("snapshot_revision", .number(Double(snapshot.revision))),
        ]))
    }

    /// `POST /v1/movements`: CSV or GeoJSON, read as `routerisk store import movements` reads a
    /// file; a GeoJSON movement's geometry is stored as its own route.
    func importMovements(_ request: Request) async throws -> JSONResponse {
        let (loader, source) = try await importSource(request, allowing: [.csv, .geojson])
        let read = try loader.movements([source])
        try Self.refuseEmpty(read.items.isEmpty, warnings: read.warnings)
        let refused = try await requireStore().use { store in
            try await store.upsert(routes: read.items.compactMap(\.ownRoute))
            return try await store.upsert(movements: read.items.map(\.movement))
        }
        let warnings = read.warnings + refused.map {
            Diagnostic(file: source.name, location: "movement \($0.id)", field: "route_id", reason: $0.reason)
        }
        return JSONResponse(.object([
            .init("imported", .number(Double(read.items.count - refused.count))),
            .init("refused", .number(Double(refused.count))),
            .init("warnings", .array(warnings.map { .string($0.description) })),
        ]))
    }

    enum ImportFormat {
        case csv, geojson
    }

    /// The loader the query asks for (`strict`, `day_first`) and the body as a source whose name
    /// tells the readers its format, from the content type.
    private func importSource(_ request: Request, allowing formats: [ImportFormat]) async throws -> (InputLoader, InputSource) {
        var strict = false, dayFirst = false
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            switch name {
            case "strict": strict = try ScoreQuery.flag(name, String(value))
            case "day_first": dayFirst = try ScoreQuery.flag(name, String(value))
            default: throw Problem.invalidQuery(name, "is not an option of this endpoint (it takes day_first, strict)")
            }
        }
        let header = request.headers[.contentType]
        let mediaType = header?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let name: String
        switch mediaType {
        case "text/csv": name = "body.csv"
        case "application/geo+json", "application/json": name = "body.geojson"
        default:
            throw Problem(.unsupportedMediaType, status: .unsupportedMediaType, title: "Unsupported media type",
                          detail: "send text/csv or GeoJSON (application/geo+json)" + (header.map { ", not \($0)" } ?? " (the request had no Content-Type)"),
                          items: [Problem.Item(source: "header", field: "Content-Type", reason: "must be text/csv, application/geo+json or application/json")])
        }
        let body = try await readBody(request)
        return (InputLoader(dayFirst: dayFirst, strict: strict), .data(body, name: name))
    }

    /// A body with rows but none readable is refused with its diagnostics, as in `/v1/score`.
    private static func refuseEmpty(_ empty: Bool, warnings: [Diagnostic]) throws {
        if empty, !warnings.isEmpty { throw Problem.invalidInput(InputError(diagnostics: warnings)) }
    }
}

import ArgumentParser
import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskIO
import RiskBatch
import RiskReport
import RiskPostgres
import RiskSQLite

/// `--store`, defaulting to $ROUTERISK_STORE, then routerisk.sqlite: an SQLite file, or a
/// PostgreSQL server given as a postgres:// URL.
struct StoreOption: ParsableArguments {
    @Option(help: "The store: an SQLite file or a postgres://user@host:port/db URL (default: $ROUTERISK_STORE, else routerisk.sqlite).")
    var store: String?

    var location: String {
        store ?? ProcessInfo.processInfo.environment["ROUTERISK_STORE"] ?? "routerisk.sqlite"
    }

    func open(create: Bool = false) async throws -> OpenedStore {
        try await OpenedStore.open(location, create: create)
    }
}

/// A store opened from a location: the adapter is chosen by the URL scheme, and anything that is
/// not a postgres:// or postgresql:// URL is an SQLite file.
enum OpenedStore {
    case sqlite(SQLiteStore)
    case postgres(PostgresStore)

    /// A store that is missing or cannot be opened is unreachable (exit status 4). `readOnly`
    /// (commands that only read) opens an SQLite file read-only, so a user who may read but not
    /// write it can use them, and they never change it.
    static func open(_ location: String, create: Bool = false, readOnly: Bool = false) async throws -> OpenedStore {
        if PostgresStore.isURL(location) {
            do {
                return .postgres(try await PostgresStore(url: location, create: create))
            } catch let error as PostgresStoreError {
                throw CommandFailure(.unreachable, "\(error)")
            }
        }
        guard create || FileManager.default.fileExists(atPath: location) else {
            throw CommandFailure(.unreachable, "no store at \(location); create one with `routerisk store init --store \(location)`")
        }
        do {
            return .sqlite(try SQLiteStore(path: location, create: create, readOnly: readOnly))
        } catch {
            throw CommandFailure(.unreachable, "cannot \(create ? "create" : "open") the store \(location): \(error)")
        }
    }

    var store: any CopyableStore {
        switch self {
        case .sqlite(let store): store
        case .postgres(let store): store
        }
    }

    /// What messages call it: the file, or the server's URL without any password.
    var name: String {
        switch self {
        case .sqlite(let store): store.path
        case .postgres(let store): store.location
        }
    }

    func version() async throws -> Int {
        switch self {
        case .sqlite(let store): try store.version()
        case .postgres(let store): try await store.version()
        }
    }

    /// Closes a server connection now (a file needs nothing).
    func close() async {
        if case .postgres(let store) = self { await store.close() }
    }

    /// Runs `body` on the store opened from `location` and closes it afterwards, whatever happens.
    static func with<T>(_ option: StoreOption, create: Bool = false, readOnly: Bool = false,
                        _ body: (OpenedStore) async throws -> T) async throws -> T {
        try await with(option.location, create: create, readOnly: readOnly, body)
    }

    static func with<T>(_ location: String, create: Bool = false, readOnly: Bool = false,
                        _ body: (OpenedStore) async throws -> T) async throws -> T {
        let opened = try await open(location, create: create, readOnly: readOnly)
        do {
            let value = try await body(opened)
            await opened.close()
            return value
        } catch {
            await opened.close()
            throw error
        }
    }
}

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Create and fill the store that batches re-score: an SQLite file or a PostgreSQL server.",
        subcommands: [Init.self, Import.self, Status.self, Scores.self, Copy.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new store; unless --empty, load the bundled zones, routes, movements, seed incidents and model.",
            discussion: """
            Never touches an existing store: when the file exists, or the database already holds a store with data, \
            init refuses (exit status 2) and changes nothing; add data to a store with `routerisk store import`. \
            An init that fails leaves no file behind.
            """)

        @OptionGroup var store: StoreOption
        @Flag(help: "Create the schema only.") var empty = false

        /// The store file and the companions SQLite keeps beside it.
        private var files: [String] { ["", "-wal", "-shm", "-journal"].map { store.location + $0 } }

        func run() async throws {
            let onServer = PostgresStore.isURL(store.location)
            if !onServer, let existing = files.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                throw CommandFailure(.usage, "\(existing) already exists; store init only creates new stores and changed "
                    + "nothing (add data with `routerisk store import ... --store \(store.location)`)")
            }
            // Everything the bundled load needs is found before the store is made.
            let bundle = empty ? nil : try BundledData.locate()
            do {
                try await OpenedStore.with(store, create: true) { try await initialise($0, loading: bundle) }
            } catch {
                if !onServer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
                throw error
            }
        }

        private func initialise(_ opened: OpenedStore, loading bundle: BundledData?) async throws {
            let store = opened.store
            if case .postgres = opened {
                // A database keeps its store: init on one that holds anything refuses, as on a file.
                let counts = try await store.counts()
                if counts.zones + counts.incidents + counts.routes + counts.movements + counts.runs > 0 {
                    throw CommandFailure(.usage, "\(opened.name) already holds a store; store init only creates new stores and "
                        + "changed nothing (add data with `routerisk store import ... --store \(opened.name)`)")
                }
            }
            guard let bundle else {
                print("created \(opened.name) (schema version \(try await opened.version()), empty)")
                return
            }
            let loader = InputLoader()
            try await store.setModel(try loader.model(.file(bundle.model)))
            let zones = try loader.zones(try bundle.zoneFiles().map(InputSource.file))
            try await store.upsert(zones: zones.items)
            let routes = try loader.routes(try bundle.routeFiles().map(InputSource.file))
            try await store.upsert(routes: routes.items)
            let incidents = try loader.incidents([.file(bundle.incidents)])
            try await store.upsert(incidents: incidents.items)
            let movements = try loader.movements([.file(bundle.movements)])
            let refused = try await store.upsert(movements: movements.items.map(\.movement))
            let warnings = zones.warnings + routes.warnings + incidents.warnings + movements.warnings
            warnings.forEach { printError("warning: \($0)") }
            refused.forEach { printError("warning: movement \($0.id) refused: \($0.reason)") }
            let counts = try await store.counts()
            print("created \(opened.name): \(counts.zones) zones, \(counts.routes) routes, \(counts.incidents) incidents, "
                  + "\(counts.movements) movements")
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update zones, incidents, routes or movements by id.",
            discussion: "Movements: CSV (id, route_id, departs_at, status, labels) or GeoJSON features whose geometry is the movement's own route.")

        enum Kind: String, ExpressibleByArgument, CaseIterable { case zones, incidents, routes, movements, model }

        @Argument(help: "zones, incidents, routes, movements or model.") var kind: Kind
        @Argument(help: "Files to import.") var files: [String]
        @OptionGroup var store: StoreOption
        @Option(name: .customLong("column"), help: ArgumentHelp("Map an incident field to a CSV header.", valueName: "FIELD=HEADER"))
        var columns: [String] = []
        @Flag(help: "Read numeric dates as day/month/year.") var dayFirst = false
        @Flag(help: "Stop at the first bad row or feature; any warning imports nothing (exit status 1).") var strict = false
        @Flag(help: "Add incidents that copy one the store holds or one given earlier (same day and place, another id) instead of merging them.")
        var keepDuplicates = false
        @OptionGroup var times: TimeOptions

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one file to import") }
            if kind == .model && files.count != 1 { throw ValidationError("import model takes one file") }
            _ = try InputOptions.parseColumns(columns)
        }

        func run() async throws {
            try await OpenedStore.with(store) { try await importFiles(into: $0.store) }
        }

        private func importFiles(into store: any BatchStore) async throws {
            let sources = files.map { InputSource.file(URL(fileURLWithPath: $0)) }
            let loader = InputLoader(columns: try InputOptions.parseColumns(columns), dayFirst: dayFirst, strict: strict,
                                     departureZone: try times.zoneless())
            var warnings: [Diagnostic] = []
            var summary = ""
            switch kind {
            case .model:
                try await store.setModel(try loader.model(sources[0]))
                summary = "model replaced"
            case .zones:
                let read = try loader.zones(sources)
                try await store.upsert(zones: read.items)
                warnings += read.warnings
                summary = "\(read.items.count) zones imported"
            case .routes:
                let read = try loader.routes(sources)
                try await store.upsert(routes: read.items)
                warnings += read.warnings
                summary = "\(read.items.count) routes imported"
            case .incidents:
                var added = 0, changed = 0
                let files = try loader.incidents(sources).sources
                // Copies of what the store holds (or of each other) are merged, as `score` merges
                // the copies among its files (issue 9).
                var merged = 0
                var items = files.map(\.items)
                if !keepDuplicates {
                    let deduplicated = Deduplicator(model: try await store.model())
                        .newOnly(items, stored: try await store.incidents().map(\.incident))
                    items = deduplicated.kept
                    merged = deduplicated.merges.count
                }
                // One upsert (one import revision) per file, as the files are named.
                for (file, kept) in zip(files, items) {
                    let counts = try await store.upsert(incidents: kept)
                    added += counts.added
                    changed += counts.changed
                    warnings += file.warnings
                }
                summary = "\(added) incidents added, \(changed) changed" + (merged > 0 ? ", \(merged) duplicates merged" : "")
            case .movements:
                let read = try loader.movements(sources)
                if strict {
                    // All or nothing: the store refuses a movement only as it writes the file, so
                    // the refusals are found first and any of them stops the import before a write.
                    var known = try await store.routes()
                    for route in read.sources.flatMap({ $0.items.compactMap(\.ownRoute) }) {
                        known.routes[Identifier.normalized(route.id)] = route
                    }
                    for file in read.sources {
                        for movement in file.items.map(\.movement) {
                            let route = Identifier.normalized(movement.routeID)
                            guard known.routes[route] == nil && known.unreadable[route] == nil else { continue }
                            let refusal = Diagnostic(file: file.name, location: "movement \(movement.id)", field: "route_id",
                                                     reason: "route \"\(movement.routeID)\" is not in the store")
                            throw CommandFailure(.badInput, terminalSafe("\(refusal); --strict imported nothing"))
                        }
                    }
                }
                var count = 0, refusedCount = 0
                for file in read.sources {
                    try await store.upsert(routes: file.items.compactMap(\.ownRoute))
                    let refused = try await store.upsert(movements: file.items.map(\.movement))
                    for refusal in refused {
                        warnings.append(Diagnostic(file: file.name, location: "movement \(refusal.id)", field: "route_id", reason: refusal.reason))
                    }
                    count += file.items.count - refused.count
                    refusedCount += refused.count
                    warnings += file.warnings
                }
                summary = "\(count) movements imported" + (refusedCount > 0 ? ", \(refusedCount) refused" : "")
            }
            warnings.forEach { printError("warning: \($0)") }
            print(summary + (warnings.isEmpty ? "" : " (\(warnings.count) warnings)"))
            if strict && !warnings.isEmpty { throw ExitStatus.badInput.exitCode }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what the store holds and its last runs.")
        @OptionGroup var store: StoreOption

        func run() async throws {
            try await OpenedStore.with(store, readOnly: true) { try await report($0) }
        }

        private func report(_ opened: OpenedStore) async throws {
            let store = opened.store
            let counts = try await store.counts()
            print("store \(opened.name) (schema version \(try await opened.version()))")
            print("  zones \(counts.zones), incidents \(counts.incidents), routes \(counts.routes), "
                  + "movements \(counts.movements) (\(counts.scheduled) scheduled)")
            let runs = try await store.runs().suffix(5)
            if runs.isEmpty { print("  no runs yet") }
            for run in runs {
                let seconds = run.finishedAt.map { String(format: "%.1f s", $0.timeIntervalSince(run.startedAt)) } ?? "-"
                let counters = run.counters
                print("  run \(run.id): \(run.status.rawValue), \(run.mode.rawValue), as of \(iso8601(run.asOf)), window \(run.window), "
                      + "\(counters.scored)/\(counters.selected) scored (\(counters.reused) reused), \(counters.failed) failed, \(seconds)")
                print("    basis: " + BatchReport.basisLine(run))
            }
        }
    }

    struct Scores: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the scores of a run.")
        @OptionGroup var store: StoreOption
        @Option(name: .customLong("run"), help: "latest (default) or a run id.") var runID: String = "latest"
        @Option(help: "table, json, csv or html (a map page that works offline).") var format: ScoresFormat = .table

        /// The formats `store scores` can produce.
        enum ScoresFormat: String, ExpressibleByArgument, CaseIterable {
            case table, json, csv, html
        }

        func run() async throws {
            try await OpenedStore.with(store, readOnly: true) { try await list($0.store, name: $0.name) }
        }

        private func list(_ store: any BatchStore, name: String) async throws {
            let record: RunRecord?
            if runID == "latest" {
                record = try await store.latestCompletedRun()
            } else if let id = Int(runID) {
                record = try await store.run(id: id)
            } else {
                throw ValidationError("--run takes latest or a run id, got \"\(runID)\"")
            }
            guard let record else {
                throw CommandFailure(.badInput, runID == "latest" ? "\(name) has no completed run yet" : "\(name) has no run \(runID)")
            }
            let scores = try await store.scores(run: record.id, limit: nil)
            switch format {
            case .json:
                print(JSONValue.object([
                    .init("run", BatchReport.runJSON(record)),
                    .init("scores", .array(scores.enumerated().map { BatchReport.scoreJSON($1, rank: $0 + 1) })),
                ]).serialized(pretty: true))
            case .csv:
                print(BatchReport.csv(scores), terminator: "")
            case .html:
                print(try await batchPage(store: store, run: record, escalations: nil), terminator: "")
            case .table:
                print(BatchReport.table(scores, title: "run \(record.id) (\(record.status.rawValue), as of \(iso8601(record.asOf)))"), terminator: "")
            }
        }
    }
}

extension StoreCommand {
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole store into a new one: SQLite to PostgreSQL, back, or any other pair.",
            discussion: """
            Everything moves as it is: zones, incidents with their import revisions, routes, movements, the model, and \
            every run with its scores, hazard profiles and failures, so the next batch on the copy carries scores forward \
            as it would have on the original. The destination is created when missing and must be empty.
            """)

        @Option(help: "The store to copy: an SQLite file or a postgres:// URL.") var from: String
        @Option(help: "The new store: an SQLite file or a postgres:// URL.") var to: String

        func run() async throws {
            let contents = try await OpenedStore.with(from) { try await $0.store.contents() }
            let name = try await OpenedStore.with(to, create: true) { destination in
                try await destination.store.load(contents)
                return destination.name
            }
            let scores = contents.runs.reduce(0) { $0 + $1.scores.count }
            print("copied to \(name): \(contents.zones.count) zones, \(contents.incidents.count) incidents (revision "
                  + "\(contents.incidentRevision)), \(contents.routes.count) routes, \(contents.movements.count) movements, "
                  + "\(contents.runs.count) runs with \(scores) scores")
        }
    }
}

extension InputOptions {
    static func parseColumns(_ columns: [String]) throws -> [String: String] {
        var mapping: [String: String] = [:]
        for entry in columns {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--column expects FIELD=HEADER, got \"\(entry)\"")
            }
            mapping[parts[0]] = parts[1]
        }
        return mapping
    }
}

/// The HTML map page of a stored run: all its scores, over the store's routes, zones and
/// incidents, scored with `model` (the store's when nil).
func batchPage(store: any BatchStore, run: RunRecord, escalations: [Escalation]?, model: Model? = nil) async throws -> String {
    let chosenModel: Model
    if let model { chosenModel = model } else { chosenModel = try await store.model() }
    let scene = try MapScene.batch(run: run, scores: try await store.scores(run: run.id, limit: nil), escalations: escalations,
                                   failed: try await store.failures(run: run.id), routes: try await store.routes().routes,
                                   zones: try await store.zones(), incidents: try await store.incidents().map(\.incident),
                                   model: chosenModel, title: "Batch run \(run.id): movements by risk")
    return MapPage.html(scene)
}

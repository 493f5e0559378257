import Foundation
import RiskCore
import RiskIO

/// What one source gave: its good items and its diagnostics.
public struct LoadedSource<Item: Sendable>: Sendable {
    /// The source's name, as its diagnostics say it.
    public var name: String
    public var items: [Item]
    public var warnings: [Diagnostic]
}

/// The items of several sources, kept per source for callers that store each one on its own.
public struct Loaded<Item: Sendable>: Sendable {
    public var sources: [LoadedSource<Item>]

    /// Every item, in source order.
    public var items: [Item] { sources.flatMap(\.items) }
    /// Every diagnostic, in source order.
    public var warnings: [Diagnostic] { sources.flatMap(\.warnings) }
}

/// Reads the model, zones, incidents, routes and movements of any front end, from files or from
/// memory. A bad row or feature is skipped with a diagnostic naming the source, the line or
/// feature, the field and the reason; with `strict` the first one is an `InputError` instead.
/// A source that cannot be read at all is always an `InputError`.
public struct InputLoader: Sendable {
    /// Incident field -> CSV header, for files whose headers are not the usual names.
    public var columns: [String: String]
    /// Read numeric incident and movement dates as day/month/year.
    public var dayFirst: Bool
    public var strict: Bool

    public init(columns: [String: String] = [:], dayFirst: Bool = false, strict: Bool = false) {
        self.columns = columns
        self.dayFirst = dayFirst
        self.strict = strict
    }

    /// Every problem in a model is fatal (see `ModelReader`), strict or not.
    public func model(_ source: InputSource) throws -> Model {
        try ModelReader.read(source)
    }

    public func zones(_ sources: [InputSource]) throws -> Loaded<Zone> {
        let reader = ZoneReader(strict: strict)
        return try load(sources, reader.read)
    }

    public func incidents(_ sources: [InputSource]) throws -> Loaded<Incident> {
        let reader = IncidentReader(columns: columns, dayFirst: dayFirst, strict: strict)
        return try load(sources, reader.read)
    }

    /// Route ids must be unique across all the sources: results are named by them.
    public func routes(_ sources: [InputSource]) throws -> Loaded<Route> {
        let results = try RouteReader(strict: strict).readEach(sources)
        return Loaded(sources: zip(sources, results).map { source, result in
            LoadedSource(name: source.name, items: result.items, warnings: result.warnings)
        })
    }

    public func movements(_ sources: [InputSource]) throws -> Loaded<MovementRecord> {
        let reader = MovementReader(dayFirst: dayFirst, strict: strict)
        return try load(sources, reader.read)
    }

    /// Everything `score` reads, in the order it is read: model, zones, incidents, routes.
    public func scoringInputs(_ sources: ScoringSources) throws -> ScoringInputs {
        let model = try model(sources.model)
        let zones = try zones(sources.zones)
        let incidents = try incidents(sources.incidents)
        let routes = try routes(sources.routes)
        return ScoringInputs(model: model, zones: zones.items, incidents: incidents.items, routes: routes.items,
                             warnings: zones.warnings + incidents.warnings + routes.warnings)
    }

    /// The one loop over sources: each read in turn, the first unreadable one ends the load.
    private func load<Item>(_ sources: [InputSource], _ read: (InputSource) throws -> ReadResult<Item>) throws -> Loaded<Item> {
        var loaded: [LoadedSource<Item>] = []
        for source in sources {
            let result = try read(source)
            loaded.append(LoadedSource(name: source.name, items: result.items, warnings: result.warnings))
        }
        return Loaded(sources: loaded)
    }
}

/// The sources of one scoring request.
public struct ScoringSources: Sendable {
    public var model: InputSource
    public var zones: [InputSource]
    public var incidents: [InputSource]
    public var routes: [InputSource]

    public init(model: InputSource, zones: [InputSource], incidents: [InputSource], routes: [InputSource]) {
        self.model = model
        self.zones = zones
        self.incidents = incidents
        self.routes = routes
    }
}

/// The loaded inputs of one scoring request.
public struct ScoringInputs: Sendable {
    public var model: Model
    public var zones: [Zone]
    public var incidents: [Incident]
    public var routes: [Route]
    /// Rows and features skipped or repaired while loading, in the order they were read.
    public var warnings: [Diagnostic]

    public init(model: Model, zones: [Zone], incidents: [Incident], routes: [Route], warnings: [Diagnostic] = []) {
        self.model = model
        self.zones = zones
        self.incidents = incidents
        self.routes = routes
        self.warnings = warnings
    }
}

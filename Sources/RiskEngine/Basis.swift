import Foundation
import RiskCore
import RiskIO

/// Where the inputs of a scoring request came from; the loader fills it, inputs made in memory
/// may leave it empty.
public struct Provenance: Sendable, Equatable {
    /// Each incident input with the incidents it gave and the rows it rejected, in input order.
    public var incidentFiles: [SourceCount]
    public var zoneFiles: [SourceCount]
    /// The model file's name and the FNV-1a hash of its text.
    public var modelFile: String?
    public var modelHash: String?

    public init(incidentFiles: [SourceCount] = [], zoneFiles: [SourceCount] = [], modelFile: String? = nil,
                modelHash: String? = nil) {
        self.incidentFiles = incidentFiles
        self.zoneFiles = zoneFiles
        self.modelFile = modelFile
        self.modelHash = modelHash
    }
}

/// What one input gave.
public struct SourceCount: Sendable, Equatable {
    public var name: String
    /// Items read.
    public var items: Int
    /// Rows or features skipped with a warning.
    public var rejected: Int

    public init(name: String, items: Int, rejected: Int) {
        self.name = name
        self.items = items
        self.rejected = rejected
    }
}

/// A label found in the data, with how many incidents carry it.
public struct LabelCount: Sendable, Equatable {
    public var label: String
    public var count: Int
}

/// What a scoring request's answers rest on (docs/output.md, "basis").
public struct Basis: Sendable, Equatable {
    public var provenance: Provenance
    /// Incidents read, after rejected rows, before duplicates were merged.
    public var incidentsRead: Int
    public var rejected: Int
    public var duplicatesMerged: Int
    public var merges: [DuplicateMerge]
    /// Of the incidents scored on (after merging): those that count at some route's evaluation
    /// time, those that had decayed below `min_decay` by every later evaluation time, and those
    /// after every evaluation time (no look-ahead).
    public var applicable: Int
    public var decayed: Int
    public var afterEvaluation: Int
    /// The incidents' earliest and latest time (nil without incidents).
    public var earliest: Date?
    public var latest: Date?
    /// The routes' evaluation times, earliest and latest (nil without routes).
    public var evaluatedFrom: Date?
    public var evaluatedTo: Date?
    public var zones: Int
    /// Routes per coverage verdict.
    public var coverage: [CoverageVerdict: Int]
    /// Labels the model's tables do not weigh (they weigh 1), most frequent first.
    public var unknownCategories: [LabelCount]
    public var unknownTargets: [LabelCount]

    /// How many incidents it scored on.
    public var incidents: Int { incidentsRead - duplicatesMerged }
}

/// The labels of `incidents` that `table` does not weigh after `key`, with counts.
func unknownLabels(_ labels: [String?], key: (String) -> String, table: [String: Double]) -> [LabelCount] {
    var counts: [String: Int] = [:]
    for label in labels.compactMap({ $0 }) where table[key(label)] == nil { counts[Model.key(label), default: 0] += 1 }
    return counts.map { LabelCount(label: $0.key, count: $0.value) }
        .sorted { $0.count != $1.count ? $0.count > $1.count : $0.label < $1.label }
}

/// The request cannot answer: no incident counts at any evaluation time.
public struct NoApplicableIncidents: Error, Sendable, CustomStringConvertible {
    public var description: String
}

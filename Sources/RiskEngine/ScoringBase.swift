import Foundation
import RiskCore
import RiskIO

/// The model, zones and incidents that many scoring requests share, prepared once (duplicates
/// merged, projected and indexed): what a server keeps between requests and swaps whole when an
/// import changes it.
public struct ScoringBase: Sendable {
    public let model: Model
    public let zones: [Zone]
    /// The incidents scored on: those read, less the duplicates merged (unless kept).
    public let incidents: [Incident]
    /// How many incidents were read, before duplicates were merged.
    public let incidentsRead: Int
    /// Each duplicate merged into an incident that stays.
    public let merges: [DuplicateMerge]
    /// Where the inputs came from (empty for inputs made in memory or read from a store).
    public let provenance: Provenance
    /// The diagnostics of loading them, repeated in every outcome (as the command line prints them).
    public let warnings: [Diagnostic]
    let data: ScoringData

    /// `incidents` as read; the same incident given twice (by two files, or two sources) is
    /// merged (`Deduplicator`) unless `keepDuplicates`.
    public init(model: Model, zones: [Zone], incidents: [Incident], warnings: [Diagnostic] = [],
                provenance: Provenance = Provenance(), keepDuplicates: Bool = false) throws {
        self.model = model
        self.zones = zones
        self.warnings = warnings
        self.provenance = provenance
        incidentsRead = incidents.count
        if keepDuplicates {
            (self.incidents, merges) = (incidents, [])
        } else {
            (self.incidents, merges) = Deduplicator(model: model).merge(incidents, fileOf: ScoringBase.fileIndex(provenance, incidents))
        }
        data = try ScoringData(incidents: self.incidents, zones: zones, model: model)
    }

    /// The input file of each incident, by position in the provenance's counts (all one file when
    /// the provenance does not account for every incident).
    static func fileIndex(_ provenance: Provenance, _ incidents: [Incident]) -> [Int] {
        var files: [Int] = []
        for (file, source) in provenance.incidentFiles.enumerated() {
            files += Array(repeating: file, count: source.items)
        }
        return files.count == incidents.count ? files : Array(repeating: 0, count: incidents.count)
    }
}

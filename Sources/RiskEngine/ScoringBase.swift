import Foundation
import RiskCore
import RiskIO

/// The model, zones and incidents that many scoring requests share, prepared once (projected and
/// indexed): what a server keeps between requests and swaps whole when an import changes it.
public struct ScoringBase: Sendable {
    public let model: Model
    public let zones: [Zone]
    public let incidents: [Incident]
    /// The diagnostics of loading them, repeated in every outcome (as the command line prints them).
    public let warnings: [Diagnostic]
    let data: ScoringData

    public init(model: Model, zones: [Zone], incidents: [Incident], warnings: [Diagnostic] = []) throws {
        self.model = model
        self.zones = zones
        self.incidents = incidents
        self.warnings = warnings
        data = try ScoringData(incidents: incidents, zones: zones, model: model)
    }
}

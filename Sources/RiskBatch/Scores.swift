import Foundation
import RiskCore

/// One movement's score in a run.
public struct MovementScore: Sendable, Equatable {
    public var movementID: String
    public var routeID: String
    /// As stored, the route's name left out (names live with routes); a store's `scores(run:limit:)`
    /// fills it in from the route.
    public var result: RouteResult
    /// The movement's labels (`Movement.labels`) as the store holds them now, filled in by a
    /// store's `scores(run:limit:)` as the route's name is; nil as stored, and when the store no
    /// longer holds the movement.
    public var labels: String?

    public init(movementID: String, routeID: String, result: RouteResult, labels: String? = nil) {
        self.movementID = movementID
        self.routeID = routeID
        self.result = result
        self.labels = labels
    }

    /// The order runs list their scores in: highest exposure first, ties by movement id.
    public static func riskier(_ a: MovementScore, _ b: MovementScore) -> Bool {
        a.result.exposure != b.result.exposure ? a.result.exposure > b.result.exposure : a.movementID < b.movementID
    }
}

/// How a movement's score was reached.
public enum ScoringMethod: String, Sendable, CaseIterable {
    /// Scored from scratch.
    case full
    /// The previous run's score with the contributions of new incidents added.
    case updated
    /// The previous run's score, unchanged.
    case carriedForward = "reused"
}

/// A scored movement as a run keeps it: the score, the fingerprint of the route it was scored
/// on, how it was reached, and the route's hazard profile for a later incremental update.
public struct ScoreRecord: Sendable, Equatable {
    public var score: MovementScore
    public var routeHash: String
    public var method: ScoringMethod
    /// Stores may drop the profiles of every run but the last one completed: only that one is
    /// ever updated.
    public var profile: HazardProfile?

    public init(score: MovementScore, routeHash: String, method: ScoringMethod, profile: HazardProfile?) {
        self.score = score
        self.routeHash = routeHash
        self.method = method
        self.profile = profile
    }
}

public struct MovementFailure: Sendable, Equatable {
    public var movementID: String
    public var reason: String

    public init(movementID: String, reason: String) {
        self.movementID = movementID
        self.reason = reason
    }
}

/// What a movement's scoring came to in a run.
public enum MovementOutcome: Sendable, Equatable {
    case scored(ScoreRecord)
    case failed(MovementFailure)

    public var movementID: String {
        switch self {
        case .scored(let record): record.score.movementID
        case .failed(let failure): failure.movementID
        }
    }
}

/// A movement whose band is higher in a run than in an earlier one (`BatchStore.bandRises`).
public struct BandRise: Sendable, Equatable {
    public var current: MovementScore
    public var previousBand: Band
    public var previousScore: Double

    public init(current: MovementScore, previousBand: Band, previousScore: Double) {
        self.current = current
        self.previousBand = previousBand
        self.previousScore = previousScore
    }
}

public struct Escalation: Sendable, Equatable {
    public var movementID: String
    public var oldBand: Band
    public var newBand: Band
    public var oldScore: Double
    public var newScore: Double
    /// The new incident (since the previous run) contributing most to the movement, if any.
    public var driver: EscalationDriver?
}

public struct EscalationDriver: Sendable, Equatable {
    public var id: String
    public var closestKm: Double
    /// The incident itself, so reports can name it by date, category, place and casualties
    /// (nil when the store no longer holds it).
    public var incident: Incident?
}

public struct BatchOutcome: Sendable {
    public var run: RunRecord
    /// Scores per band, every band present.
    public var bands: [Band: Int]
    public var escalations: [Escalation]
    public var riskiest: [MovementScore]
    public var failed: [MovementFailure]
    /// True when this call finished a run that an earlier, interrupted call had started.
    public var resumed: Bool
}

import Foundation
import Geo
import RiskCore

/// What the batch does with one movement, decided from what is stored before anything is
/// scored.
///
/// Each movement is scored at its own departure, and decay depends only on each incident's age
/// then, so an earlier incident's contribution never changes: a previous score made on the same
/// route geometry at the same departure (with the same zones and model, which the runner checks
/// for the whole run) needs only the new incidents that can reach the route.
enum MovementDecision: Sendable, Equatable {
    /// The previous completed run's score stands: no new incident is within reach.
    case carryForward(previous: ScoreRecord)
    /// The previous score plus the contributions of `added` (indexes into the scoring data's
    /// incidents), the new incidents within reach by the departure.
    case update(route: Route, previous: ScoreRecord, profile: HazardProfile, added: Set<Int>)
    /// No usable previous score: score from scratch.
    case scoreInFull(route: Route)
    /// The movement cannot be scored.
    case fail(reason: String)

    /// - Parameters:
    ///   - previous: the movement's score in the previous completed run, when the run may build
    ///     on it (same zones, model and no changed incident).
    ///   - newIncidents: indexes into `data.incidents` of the incidents added since that run.
    init(movement: Movement, routes: StoredRoutes, previous: ScoreRecord?, newIncidents: Set<Int>, data: ScoringData) {
        if let reason = routes.unreadable[movement.routeID] {
            self = .fail(reason: "route \(movement.routeID): \(reason)")
            return
        }
        guard var route = routes.routes[movement.routeID] else {
            self = .fail(reason: "route \(movement.routeID) is not in the store")
            return
        }
        route.departsAt = movement.departsAt
        guard let previous, let profile = previous.profile, previous.score.result.evaluatedAt == movement.departsAt,
              previous.routeHash == Fingerprint.of(route.shape) else {
            self = .scoreInFull(route: route)
            return
        }
        var reaching = Set<Int>()
        if let reach = route.shape.envelope?.widened(byKm: data.model.cutoffKm) {
            reaching = newIncidents.filter { data.incidents[$0].time <= movement.departsAt && reach.contains(data.incidents[$0].location) }
        }
        self = reaching.isEmpty ? .carryForward(previous: previous)
            : .update(route: route, previous: previous, profile: profile, added: reaching)
    }

    /// Carries the decision out for `movement` with `scorer` (made from the same data).
    func outcome(for movement: Movement, scorer: Scorer) -> MovementOutcome {
        func scored(_ result: RouteResult, routeHash: String, method: ScoringMethod, profile: HazardProfile?) -> MovementOutcome {
            .scored(ScoreRecord(score: MovementScore(movementID: movement.id, routeID: movement.routeID, result: result),
                                routeHash: routeHash, method: method, profile: profile))
        }
        do {
            switch self {
            case .fail(let reason):
                return .failed(MovementFailure(movementID: movement.id, reason: reason))
            case .carryForward(let previous):
                return scored(previous.score.result, routeHash: previous.routeHash, method: .carriedForward, profile: previous.profile)
            case .update(let route, let previous, let profile, let added):
                let updated = try scorer.update(route, previous: previous.score.result, profile: profile, added: added)
                return scored(updated.result, routeHash: previous.routeHash, method: .updated, profile: updated.profile)
            case .scoreInFull(let route):
                let full = try scorer.scoreWithProfile(route, asOf: movement.departsAt)
                return scored(full.result, routeHash: Fingerprint.of(route.shape), method: .full, profile: full.profile)
            }
        } catch {
            return .failed(MovementFailure(movementID: movement.id, reason: "\(error)"))
        }
    }
}

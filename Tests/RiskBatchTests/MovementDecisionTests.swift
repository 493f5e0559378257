import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskBatch

/// The per-movement decision, case by case. The route runs due north along 67 E from 24 N to
/// 26 N; at those latitudes a degree of longitude is about 111.32 cos(26 deg) = 100 km, so with
/// the default cutoff of 30 km an incident 0.05 deg east (about 5 km) is within reach and one
/// 0.5 deg east (about 50 km) is not.
@Suite struct MovementDecisionTests {
    let route = meridian("r")
    let movement = Movement(id: "m", routeID: "r", departsAt: asOf)
    let old = incident("old", 67.05, 25, at: asOf - 30 * day)
    let near = incident("near", 67.05, 25.5, at: asOf - day)
    let far = incident("far", 67.5, 25, at: asOf - day)
    let later = incident("later", 67.05, 24.5, at: asOf + hour)

    var data: ScoringData {
        get throws { try data([old, near, far, later]) }
    }

    /// Every scoring here works in the same projection, so that updates add up exactly.
    func data(_ incidents: [Incident]) throws -> ScoringData {
        try ScoringData(incidents: incidents, zones: [], model: Model(), extent: WorkingCRS.pakistanExtent)
    }

    var routes: StoredRoutes { StoredRoutes(routes: ["r": route]) }

    /// The movement's score from a run that knew only the old incident.
    func previous(shape: Shape? = nil, departsAt: Date = asOf, profile: Bool = true) throws -> ScoreRecord {
        var scored = route
        scored.shape = shape ?? route.shape
        scored.departsAt = departsAt
        let (result, hazardProfile) = try Scorer(try data([old]))
            .scoreWithProfile(scored, asOf: departsAt)
        return ScoreRecord(score: MovementScore(movementID: "m", routeID: "r", result: result), routeHash: Fingerprint.of(scored.shape),
                           method: .full, profile: profile ? hazardProfile : nil)
    }

    func decide(previous: ScoreRecord?, new: Set<Int> = [1, 2, 3], routes: StoredRoutes? = nil) throws -> MovementDecision {
        MovementDecision(movement: movement, routes: routes ?? self.routes, previous: previous, newIncidents: new, data: try data)
    }

    var departing: Route {
        var route = route
        route.departsAt = asOf
        return route
    }

    @Test func unreadableOrMissingRoutesFailNamingTheRoute() throws {
        let unreadable = StoredRoutes(unreadable: ["r": "column lines: not lines"])
        #expect(try decide(previous: nil, routes: unreadable) == .fail(reason: "route r: column lines: not lines"))
        #expect(try decide(previous: nil, routes: StoredRoutes()) == .fail(reason: "route r is not in the store"))
    }

    @Test func withoutAUsablePreviousScoreTheMovementIsScoredInFull() throws {
        #expect(try decide(previous: nil) == .scoreInFull(route: departing))
        #expect(try decide(previous: previous(profile: false)) == .scoreInFull(route: departing), "no profile to update")
        #expect(try decide(previous: previous(departsAt: asOf - hour)) == .scoreInFull(route: departing), "another departure")
        let moved: Shape = .lineString([Coordinate(67, 24), Coordinate(67, 26.01)])
        #expect(try decide(previous: previous(shape: moved)) == .scoreInFull(route: departing), "another geometry")
    }

    @Test func onlyNewIncidentsWithinReachByTheDepartureUpdateTheScore() throws {
        let before = try previous()
        let profile = try #require(before.profile)
        // Incident 1 is near and earlier; 2 is too far; 3 happens after the departure.
        #expect(try decide(previous: before) == .update(route: departing, previous: before, profile: profile, added: [1]))
        #expect(try decide(previous: before, new: [2, 3]) == .carryForward(previous: before))
        #expect(try decide(previous: before, new: []) == .carryForward(previous: before))
    }

    @Test func carryingOutADecisionRecordsHowTheScoreWasReached() throws {
        let scorer = try Scorer(try data)
        let before = try previous()
        guard case .scored(let carried) = try decide(previous: before, new: []).outcome(for: movement, scorer: scorer) else {
            Issue.record("not scored")
            return
        }
        #expect(carried == ScoreRecord(score: before.score, routeHash: before.routeHash, method: .carriedForward, profile: before.profile))

        guard case .scored(let updated) = try decide(previous: before).outcome(for: movement, scorer: scorer) else {
            Issue.record("not scored")
            return
        }
        // Updating adds the near incident's contribution to the old one: equal to scoring both
        // from scratch (the far and later incidents add nothing).
        let both = try Scorer(try data([old, near])).score(departing, asOf: asOf)
        #expect(updated.method == .updated && updated.routeHash == before.routeHash)
        #expect(abs(updated.score.result.exposure - both.exposure) <= 1e-12 * both.exposure)
        #expect(updated.score.result.topIncidents.map(\.id) == ["near", "old"] || updated.score.result.topIncidents.map(\.id) == ["old", "near"])

        guard case .scored(let full) = try decide(previous: nil).outcome(for: movement, scorer: scorer) else {
            Issue.record("not scored")
            return
        }
        #expect(full.method == .full && full.routeHash == before.routeHash && full.profile != nil)
        #expect(try decide(previous: nil, routes: StoredRoutes()).outcome(for: movement, scorer: scorer)
            == .failed(MovementFailure(movementID: "m", reason: "route r is not in the store")))
    }
}

import Foundation
import Geo
import RiskCore
import RiskIO
import RiskSynth
import Testing
@testable import RiskStore

@Suite struct BatchTests {
    func store(routes: [Route], movements: [Movement], incidents: [Incident]) throws -> Store {
        let store = try Store(path: temporaryStorePath(), create: true)
        try store.upsert(routes: routes)
        #expect(try store.upsert(movements: movements).isEmpty)
        try store.upsert(incidents: incidents)
        return store
    }

    @Test func windowSelectsScheduledDeparturesAndEachIsScoredAtItsOwnTime() async throws {
        let hour: TimeInterval = 3_600
        let movements = [
            Movement(id: "before", routeID: "r", departsAt: asOf - hour),
            Movement(id: "soon", routeID: "r", departsAt: asOf + hour),
            Movement(id: "later", routeID: "r", departsAt: asOf + 30 * hour),
            Movement(id: "cancelled", routeID: "r", departsAt: asOf + 2 * hour, status: .cancelled),
        ]
        // An incident on the route that happens between the two departures.
        let store = try store(routes: [meridian("r")], movements: movements, incidents: [incident("mid", 67, 25, at: asOf + 10 * hour)])
        let runner = BatchRunner(store: store)
        let day = try await runner.run(BatchOptions(asOf: asOf, window: .next(24 * hour)))
        #expect(try runner.scores(run: day.run.id).map(\.movementID) == ["soon"])
        let week = try await runner.run(BatchOptions(asOf: asOf, window: BatchWindow("7d")!))
        let scores = Dictionary(uniqueKeysWithValues: try runner.scores(run: week.run.id).map { ($0.movementID, $0.result) })
        #expect(Set(scores.keys) == ["soon", "later"])
        #expect(scores["soon"]?.evaluatedAt == asOf + hour)
        #expect(scores["soon"]?.incidentExposure == 0, "the incident is later than this departure")
        #expect(scores["later"]?.evaluatedAt == asOf + 30 * hour)
        #expect((scores["later"]?.incidentExposure ?? 0) > 0)
        let all = try await runner.run(BatchOptions(asOf: asOf, window: .all))
        #expect(all.run.scored == 3)
    }

    @Test func escalationsNameTheNewIncidentThatDrivesThem() async throws {
        let movements = [Movement(id: "m1", routeID: "r1", departsAt: asOf), Movement(id: "m2", routeID: "r2", departsAt: asOf)]
        let routes = [meridian("r1", lon: 67), meridian("r2", lon: 70)]
        let store = try store(routes: routes, movements: movements, incidents: [incident("old", 67, 25, at: asOf - 86_400, killed: 0)])
        let runner = BatchRunner(store: store)
        let first = try await runner.run(BatchOptions(asOf: asOf, window: .next(86_400)))
        #expect(first.escalations.isEmpty)
        #expect(first.bands[.low] == 2)
        // A deadly attack 4 km off route r1, and one far from both routes.
        let site = try Geodesic.wgs84.direct(from: Coordinate(67, 25.2), azimuth: 90, distanceKm: 4).position
        try store.upsert(incidents: [
            incident("attack", site.x, site.y, at: asOf - 3_600, killed: 40),
            incident("attack2", site.x, site.y + 0.1, at: asOf - 3_600, killed: 40),
            incident("attack3", site.x, site.y - 0.1, at: asOf - 3_600, killed: 40),
            incident("elsewhere", 74, 31, at: asOf - 3_600, killed: 40),
        ])
        let second = try await runner.run(BatchOptions(asOf: asOf, window: .next(86_400)))
        #expect(second.run.reused == 1 && second.run.recomputed == 1, "r2 is out of reach of every new incident")
        #expect(second.escalations.count == 1)
        let escalation = try #require(second.escalations.first)
        #expect(escalation.movementID == "m1" && escalation.oldBand == .low && escalation.newBand > .low)
        #expect(["attack", "attack2", "attack3"].contains(escalation.driver?.id ?? ""))
        #expect(abs((escalation.driver?.closestKm ?? 0) - 4) < 0.5)
    }

    @Test func brokenRoutesFailByIdAndTheOthersAreScored() async throws {
        let store = try store(routes: [meridian("good"), meridian("bad")],
                              movements: [Movement(id: "ok", routeID: "good", departsAt: asOf), Movement(id: "ko", routeID: "bad", departsAt: asOf)],
                              incidents: [])
        try store.database.run("UPDATE routes SET geometry = ? WHERE id = 'bad'", #"{"type":"LineString","coordinates":[[67,24],[67,95]]}"#)
        let outcome = try await BatchRunner(store: store).run(BatchOptions(asOf: asOf, window: .next(86_400)))
        #expect(outcome.run.scored == 1 && outcome.run.failed == 1 && outcome.run.status == "completed")
        #expect(outcome.failed.map(\.movementID) == ["ko"])
        #expect(outcome.failed[0].reason.contains("latitude"))
    }

    @Test func incrementalRunsAgreeWithFullRuns() async throws {
        let synth = SyntheticPakistan(seed: 77)
        let routes = synth.routes(count: 300, minKm: 100, maxKm: 800, departing: asOf...asOf.addingTimeInterval(86_400))
        let movements = routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) }
        let store = try store(routes: routes, movements: movements, incidents: synth.incidents(count: 1_500, end: asOf))
        try store.upsert(zones: [Zone(id: "belt", name: "Belt", kind: "zone", base: 0.05, multiplier: 1.5,
                                      shape: .polygon([[Coordinate(60, 29), Coordinate(78, 29), Coordinate(78, 31), Coordinate(60, 31), Coordinate(60, 29)]]))])
        let runner = BatchRunner(store: store)
        _ = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400)))
        try store.upsert(incidents: SyntheticPakistan(seed: 78).incidents(count: 50, end: asOf, years: 0.5, idPrefix: "new"))
        let incremental = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400)))
        let full = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400), full: true))
        #expect(incremental.run.mode == "incremental" && incremental.run.reused > 0)
        #expect(full.run.reused == 0)
        let a = Dictionary(uniqueKeysWithValues: try runner.scores(run: incremental.run.id).map { ($0.movementID, $0.result) })
        let b = Dictionary(uniqueKeysWithValues: try runner.scores(run: full.run.id).map { ($0.movementID, $0.result) })
        #expect(a.count == 300 && b.count == 300)
        var worst = 0.0
        for (id, exact) in b {
            let fast = try #require(a[id])
            let difference = exact.exposure > 0 ? abs(fast.exposure - exact.exposure) / exact.exposure : abs(fast.exposure)
            worst = max(worst, difference)
            #expect(fast.band == exact.band, "\(id)")
        }
        print("incremental vs full over 300 movements: worst relative exposure difference \(worst); "
              + "\(incremental.run.reused) carried forward unchanged, \(incremental.run.recomputed) updated")
        #expect(worst < 0.01)
    }
}

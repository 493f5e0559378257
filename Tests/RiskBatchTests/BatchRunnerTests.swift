import Foundation
import Geo
import RiskCore
import RiskSynth
import Testing
@testable import RiskBatch

/// The batch's logic on the in-memory store: the store contract (StoreContractTests) makes the
/// same hold on every adapter.
@Suite struct BatchRunnerTests {
    func store(routes: [Route], movements: [Movement], incidents: [Incident]) throws -> InMemoryStore {
        let store = InMemoryStore()
        try store.upsert(routes: routes)
        #expect(try store.upsert(movements: movements).isEmpty)
        try store.upsert(incidents: incidents)
        return store
    }

    /// A movement's result by id.
    func results(_ store: InMemoryStore, run: Int) throws -> [String: RouteResult] {
        Dictionary(uniqueKeysWithValues: try store.scores(run: run, limit: nil).map { ($0.movementID, $0.result) })
    }

    @Test func windowSelectsScheduledDeparturesAndEachIsScoredAtItsOwnTime() async throws {
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
        #expect(try store.scores(run: day.run.id, limit: nil).map(\.movementID) == ["soon"])
        let week = try await runner.run(BatchOptions(asOf: asOf, window: BatchWindow("7d")!))
        let scores = try results(store, run: week.run.id)
        #expect(Set(scores.keys) == ["soon", "later"])
        #expect(scores["soon"]?.evaluatedAt == asOf + hour)
        #expect(scores["soon"]?.incidentExposure == 0, "the incident is later than this departure")
        #expect(scores["later"]?.evaluatedAt == asOf + 30 * hour)
        #expect((scores["later"]?.incidentExposure ?? 0) > 0)
        let all = try await runner.run(BatchOptions(asOf: asOf, window: .all))
        #expect(all.run.counters.scored == 3 && all.run.counters.selected == 3)
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
        #expect(second.run.counters.reused == 1 && second.run.counters.recomputed == 1, "r2 is out of reach of every new incident")
        #expect(second.escalations.count == 1)
        let escalation = try #require(second.escalations.first)
        #expect(escalation.movementID == "m1" && escalation.oldBand == .low && escalation.newBand > .low)
        #expect(["attack", "attack2", "attack3"].contains(escalation.driver?.id ?? ""))
        #expect(abs((escalation.driver?.closestKm ?? 0) - 4) < 0.5)
    }

    @Test func brokenRoutesFailByIdAndTheOthersAreScored() async throws {
        let store = try store(routes: [meridian("good"), meridian("bad", from: 24, to: 95)],
                              movements: [Movement(id: "ok", routeID: "good", departsAt: asOf), Movement(id: "ko", routeID: "bad", departsAt: asOf)],
                              incidents: [])
        let outcome = try await BatchRunner(store: store).run(BatchOptions(asOf: asOf, window: .next(86_400)))
        #expect(outcome.run.counters == RunCounters(selected: 2, scored: 1, failed: 1, recomputed: 1, reused: 0))
        #expect(outcome.run.status == .completed)
        #expect(outcome.failed.map(\.movementID) == ["ko"])
        #expect(outcome.failed[0].reason.contains("latitude"))
        #expect(try store.scores(run: outcome.run.id, limit: nil).map(\.movementID) == ["ok"])
    }

    @Test func incrementalRunsAgreeWithFullRuns() async throws {
        let synth = SyntheticPakistan(seed: 77)
        let routes = synth.routes(count: 300, minKm: 100, maxKm: 800, departing: asOf...asOf.addingTimeInterval(86_400))
        let movements = routes.map { Movement(id: "m-\($0.id)", routeID: $0.id, departsAt: $0.departsAt!) }
        let store = try store(routes: routes, movements: movements, incidents: synth.incidents(count: 1_500, end: asOf))
        try store.upsert(zones: [Zone(id: "belt", name: "Belt", kind: "zone", base: 0.05, multiplier: 1.5, shape: rectangle(60, 29, 78, 31))])
        let runner = BatchRunner(store: store)
        _ = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400), jobs: 2))
        try store.upsert(incidents: SyntheticPakistan(seed: 78).incidents(count: 50, end: asOf, years: 0.5, idPrefix: "new"))
        let incremental = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400), jobs: 2))
        let full = try await runner.run(BatchOptions(asOf: asOf, window: .next(2 * 86_400), full: true, jobs: 2))
        #expect(incremental.run.mode == .incremental && incremental.run.counters.reused > 0)
        #expect(full.run.mode == .full && full.run.counters.reused == 0)
        let a = try results(store, run: incremental.run.id)
        let b = try results(store, run: full.run.id)
        #expect(a.count == 300 && b.count == 300)
        var worst = 0.0
        for (id, exact) in b {
            let fast = try #require(a[id])
            let difference = exact.exposure > 0 ? abs(fast.exposure - exact.exposure) / exact.exposure : abs(fast.exposure)
            worst = max(worst, difference)
            #expect(fast.band == exact.band, "\(id)")
        }
        print("incremental vs full over 300 movements: worst relative exposure difference \(worst); "
              + "\(incremental.run.counters.reused) carried forward unchanged, \(incremental.run.counters.recomputed) updated")
        #expect(worst < 1e-12)
    }

    /// What `BatchRunner` asks the store for, built here the way the runner does, to stage an
    /// interrupted run.
    func request(_ store: InMemoryStore, window: BatchWindow, asOfGiven: Bool = true) throws -> RunRequest {
        RunRequest(asOf: asOf, asOfGiven: asOfGiven, window: window, mode: .incremental, model: try store.model(),
                   inputs: RunInputs(modelHash: Fingerprint.of(try store.model()), zonesHash: Fingerprint.of(try store.zones()),
                                     incidentRevision: try store.incidentRevision()),
                   startedAt: asOf)
    }

    @Test func anInterruptedRunIsResumedWhereItStopped() async throws {
        let movements = (1...5).map { Movement(id: "m\($0)", routeID: "r", departsAt: asOf + Double($0) * hour) }
        let store = try store(routes: [meridian("r")], movements: movements, incidents: [incident("a", 67.05, 25, at: asOf - day)])
        // A run that recorded two outcomes and died.
        let interrupted = try store.openRun(request(store, window: .next(day))).run
        try store.setSelected(5, run: interrupted.id)
        try store.record([.failed(MovementFailure(movementID: "m1", reason: "staged")),
                          .failed(MovementFailure(movementID: "m2", reason: "staged"))], run: interrupted.id)

        // Without --as-of the interrupted run's own as_of stands.
        let outcome = try await BatchRunner(store: store).run(BatchOptions(asOf: asOf + 7 * hour, window: .next(day)), asOfGiven: false)
        #expect(outcome.resumed && outcome.run.id == interrupted.id)
        #expect(outcome.run.counters == RunCounters(selected: 5, scored: 3, failed: 2, recomputed: 3, reused: 0))
        #expect(try store.scores(run: interrupted.id, limit: nil).map(\.movementID).sorted() == ["m3", "m4", "m5"])
        #expect(try store.failures(run: interrupted.id).map(\.reason) == ["staged", "staged"], "done movements are not redone")
        #expect(try store.runs().count == 1)

        // A run with other inputs is not resumed: the interrupted one is abandoned.
        let other = try store.openRun(request(store, window: .next(day))).run
        let fresh = try await BatchRunner(store: store).run(BatchOptions(asOf: asOf, window: .next(2 * day)))
        #expect(!fresh.resumed && fresh.run.id == other.id + 1)
        #expect(try store.run(id: other.id)?.status == .abandoned)
        #expect(fresh.run.counters.scored == 5)
    }

    enum Change: String, CaseIterable, Sendable {
        case model, zone, incident, route
    }

    /// After any input but a new incident changes, the incremental run scores what the change
    /// touches from scratch and equals a full run.
    @Test(arguments: Change.allCases) func changedInputsAreScoredInFull(_ change: Change) async throws {
        let routes = [meridian("r1", lon: 67), meridian("r2", lon: 70)]
        let movements = [Movement(id: "a1", routeID: "r1", departsAt: asOf + hour), Movement(id: "a2", routeID: "r1", departsAt: asOf + 2 * hour),
                         Movement(id: "b1", routeID: "r2", departsAt: asOf + hour)]
        let near = [incident("i1", 67.05, 24.5, at: asOf - 30 * day), incident("i2", 69.95, 25.5, at: asOf - 60 * day, killed: 12)]
        let store = try store(routes: routes, movements: movements, incidents: near)
        try store.upsert(zones: [Zone(id: "z", name: "Z", kind: "zone", base: 0.1, multiplier: 2, shape: rectangle(66, 24.8, 71, 25.2))])
        let runner = BatchRunner(store: store)
        let options = BatchOptions(asOf: asOf, window: .next(day))
        _ = try await runner.run(options)

        var expectedFull: Set<String> = ["a1", "a2", "b1"]
        switch change {
        case .model:
            var model = Model()
            model.halfLifeDays = 90
            try store.setModel(model)
        case .zone:
            try store.upsert(zones: [Zone(id: "z", name: "Z", kind: "zone", base: 0.1, multiplier: 3, shape: rectangle(66, 24.8, 71, 25.2))])
        case .incident:
            try store.upsert(incidents: [incident("i1", 67.05, 24.5, at: asOf - 30 * day, killed: 9)])
        case .route:
            try store.upsert(routes: [meridian("r1", lon: 67.01)])
            expectedFull = ["a1", "a2"]
        }
        let incremental = try await runner.run(options)
        let methods = Dictionary(uniqueKeysWithValues: try store.scoreRecords(run: incremental.run.id).map { ($0.score.movementID, $0.method) })
        #expect(Set(methods.filter { $0.value == .full }.keys) == expectedFull)
        #expect(Set(methods.filter { $0.value == .carriedForward }.keys) == Set(movements.map(\.id)).subtracting(expectedFull))
        let full = try await runner.run(BatchOptions(asOf: asOf, window: .next(day), full: true))
        #expect(try results(store, run: incremental.run.id) == results(store, run: full.run.id))
    }
}

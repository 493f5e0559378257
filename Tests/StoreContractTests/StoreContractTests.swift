import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing

/// What every `BatchStore` adapter must do, run on each fixture in `StoreFixture.all`. A new
/// adapter (PostgreSQL, say) adds a fixture and passes these unchanged.
@Suite struct StoreContractTests {
    // MARK: Imports read back

    @Test(arguments: StoreFixture.all) func zonesReadBackAsImported(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        let province = Zone(id: "b", name: "Bee", kind: "province", base: 0.25, multiplier: 1.5, shape: rectangle(60.125, 24, 62, 26.5))
        let holed: Shape = .multiPolygon([
            [[Coordinate(66, 24), Coordinate(68, 24), Coordinate(68, 26), Coordinate(66, 26), Coordinate(66, 24)],
             [Coordinate(66.5, 24.5), Coordinate(66.5, 25), Coordinate(67, 25), Coordinate(66.5, 24.5)]],
            [[Coordinate(70, 30), Coordinate(71, 30), Coordinate(71, 31), Coordinate(70, 30)]],
        ])
        let special = Zone(id: "a", name: "Ay \"special\"", kind: "zone", shape: holed)
        try await store.upsert(zones: [province, special])
        var changed = province
        changed.name = "Bee, renamed"
        changed.multiplier = 3
        changed.shape = rectangle(61, 25, 62, 26)
        try await store.upsert(zones: [changed])
        #expect(try await store.zones() == [special, changed], "by id, the update replacing every field")
    }

    @Test(arguments: StoreFixture.all) func incidentRevisionsAdvanceOnChangeNotOnIdenticalReimport(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        #expect(try await store.incidentRevision() == 0)
        let a = Incident(id: "a", location: Coordinate(67.125, 24.875), time: asOf - day, killed: 3, injured: 1.5,
                         category: "Bombing", target: "Police", description: "first", source: "Dawn")
        let b = Incident(id: "b", location: Coordinate(68, 25), time: asOf - 2 * day)
        #expect(try await store.upsert(incidents: [a, b]) == IncidentImport(added: 2, changed: 0))
        #expect(try await store.incidentRevision() == 1)
        #expect(try await store.incidents() == [StoredIncident(incident: b, createdRevision: 1, changedRevision: 1),
                                                StoredIncident(incident: a, createdRevision: 1, changedRevision: 1)],
                "by time, every field as imported")

        #expect(try await store.upsert(incidents: [a, b]) == IncidentImport(added: 0, changed: 0))
        #expect(try await store.incidentRevision() == 1, "an identical import leaves the revision alone")

        var described = a
        described.description = "second"
        described.source = nil
        #expect(try await store.upsert(incidents: [described]) == IncidentImport(added: 0, changed: 0))
        #expect(try await store.incidentRevision() == 1, "description and source do not count for scoring")

        var moved = described
        moved.location = Coordinate(67.5, 24.875)
        let c = Incident(id: "c", location: Coordinate(69, 26), time: asOf - 2 * day)
        #expect(try await store.upsert(incidents: [moved, c]) == IncidentImport(added: 1, changed: 1))
        #expect(try await store.incidentRevision() == 2)
        #expect(try await store.incidents() == [StoredIncident(incident: b, createdRevision: 1, changedRevision: 1),
                                                StoredIncident(incident: c, createdRevision: 2, changedRevision: 2),
                                                StoredIncident(incident: moved, createdRevision: 1, changedRevision: 2)],
                "ties in time by id")
    }

    @Test(arguments: StoreFixture.all) func routesAndMovementsReadBackAsImported(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        var departing = line("r1", name: "Karachi to Hub")
        departing.departsAt = asOf  // departures belong to movements, not routes
        let parts = Route(id: "r2", shape: .multiLineString([[Coordinate(67, 24), Coordinate(67.5, 24.25)],
                                                              [Coordinate(68, 25), Coordinate(68.125, 25.375)]]))
        try await store.upsert(routes: [departing, parts])
        var expected = line("r1", name: "Karachi to Hub")
        #expect(try await store.routes() == StoredRoutes(routes: ["r1": expected, "r2": parts]))
        expected.name = nil
        expected.shape = .lineString([Coordinate(67, 24), Coordinate(67, 26)])
        try await store.upsert(routes: [expected])
        #expect(try await store.routes().routes["r1"] == expected)

        let refused = try await store.upsert(movements: [
            Movement(id: "m2", routeID: "r2", departsAt: asOf + hour, labels: "convoy 7"),
            Movement(id: "m1", routeID: "r1", departsAt: asOf + hour),
            Movement(id: "m0", routeID: "nowhere", departsAt: asOf),
            Movement(id: "m3", routeID: "r1", departsAt: asOf),
        ])
        #expect(refused.map(\.id) == ["m0"])
        #expect(refused[0].reason.contains("\"nowhere\""))
        #expect(try await store.upsert(movements: [Movement(id: "m3", routeID: "r2", departsAt: asOf, status: .cancelled)]).isEmpty)
        #expect(try await store.movements() == [
            Movement(id: "m3", routeID: "r2", departsAt: asOf, status: .cancelled),
            Movement(id: "m1", routeID: "r1", departsAt: asOf + hour),
            Movement(id: "m2", routeID: "r2", departsAt: asOf + hour, labels: "convoy 7"),
        ], "by departure, then id")
        #expect(try await store.counts() == StoreCounts(zones: 0, incidents: 0, routes: 2, movements: 3, scheduled: 2, runs: 0))
    }

    @Test(arguments: StoreFixture.all) func theWindowSelectsScheduledDeparturesInOrder(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        try await store.upsert(routes: [line("r")])
        let movements = [
            Movement(id: "end", routeID: "r", departsAt: asOf + day),  // the window's end is outside it
            Movement(id: "b", routeID: "r", departsAt: asOf + 2 * hour),
            Movement(id: "start", routeID: "r", departsAt: asOf),  // its start is inside
            Movement(id: "a", routeID: "r", departsAt: asOf + 2 * hour),
            Movement(id: "past", routeID: "r", departsAt: asOf - 1),
            Movement(id: "done", routeID: "r", departsAt: asOf + hour, status: .done),
            Movement(id: "off", routeID: "r", departsAt: asOf + hour, status: .cancelled),
        ]
        #expect(try await store.upsert(movements: movements).isEmpty)
        #expect(try await store.scheduledMovements(in: .next(day), from: asOf).map(\.id) == ["start", "a", "b"])
        #expect(try await store.scheduledMovements(in: .next(day), from: asOf + hour).map(\.id) == ["a", "b", "end"])
        #expect(try await store.scheduledMovements(in: .all, from: asOf).map(\.id) == ["past", "start", "a", "b", "end"])
    }

    @Test(arguments: StoreFixture.all) func theModelIsTheSpecsUntilOneIsSet(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        #expect(try await store.model() == Model())
        var model = Model()
        model.kernel = .disk(radiusKm: 7.5)
        model.halfLifeDays = 90
        model.categoryWeights = ["suicide bombing": 2.5]
        model.moderateFrom = 20
        try await store.setModel(model)
        #expect(try await store.model() == model)
    }

    // MARK: Runs

    @Test(arguments: StoreFixture.all) func runsOpenResumeAndAbandon(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        #expect(try await store.runs().isEmpty)
        #expect(try await store.latestCompletedRun() == nil)
        let first = try await store.openRun(request())
        #expect(!first.resumed)
        #expect(first.run == RunRecord(id: first.run.id, startedAt: asOf, finishedAt: nil, asOf: asOf, window: .next(day),
                                       mode: .incremental, status: .running,
                                       inputs: RunInputs(modelHash: "m1", zonesHash: "z1", incidentRevision: 1), counters: RunCounters(),
                                       basis: sampleBasis))
        #expect(try await store.run(id: first.run.id) == first.run)

        // The same request resumes it, keeping the basis it was opened with (issue 9); so does one
        // without an as_of of its own.
        #expect(try await store.openRun(request(startedAt: asOf + hour, basis: RunBasis(incidents: 1)))
                == OpenedRun(run: first.run, resumed: true))
        #expect(try await store.openRun(request(asOf: asOf + 5 * hour, asOfGiven: false)) == OpenedRun(run: first.run, resumed: true))

        // Another as_of, window, mode or input does not: the running run is abandoned.
        for (index, other) in [request(asOf: asOf + hour), request(window: .next(7 * day)), request(mode: .full),
                               request(modelHash: "m2"), request(revision: 2)].enumerated() {
            let before = try await store.runs()
            let opened = try await store.openRun(other)
            #expect(!opened.resumed && opened.run.status == .running && !before.map(\.id).contains(opened.run.id), "case \(index)")
            let abandoned = try #require(try await store.run(id: before.last!.id))
            #expect(abandoned.status == .abandoned && abandoned.finishedAt == other.startedAt, "case \(index)")
        }
        let runs = try await store.runs()
        #expect(runs.count == 6 && runs.map(\.id) == runs.map(\.id).sorted())
        #expect(runs.map(\.window) == [.next(day), .next(day), .next(7 * day), .next(day), .next(day), .next(day)])
        #expect(runs.map(\.status) == Array(repeating: .abandoned, count: 5) + [.running])
        #expect(try await store.counts().runs == 6)
        #expect(runs.allSatisfy { $0.basis == sampleBasis })
        let plain = try await store.openRun(request(mode: .full, basis: RunBasis())).run
        #expect(try await store.run(id: plain.id)?.basis == RunBasis())
        let finished = try await store.finishRun(plain.id, at: asOf + hour)
        let latest = try await store.latestCompletedRun()
        #expect(finished.basis == RunBasis() && latest == finished)
    }

    @Test(arguments: StoreFixture.all) func aChunkAndTheRunsCountersAreCommittedTogether(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        let run = try await store.openRun(request()).run.id
        try await store.setSelected(5, run: run)
        let chunk: [MovementOutcome] = [
            .scored(record("m1", exposure: 12.5, band: .low)),
            .scored(record("m2", exposure: 80.25, band: .high, method: .carriedForward)),
            .scored(record("m3", exposure: 40, band: .moderate, method: .updated, profile: false)),
            .failed(MovementFailure(movementID: "m4", reason: "route r9 is not in the store")),
        ]
        try await store.record(chunk, run: run)
        #expect(try await store.run(id: run)?.counters == RunCounters(selected: 5, scored: 3, failed: 1, recomputed: 2, reused: 1))
        #expect(try await store.movementsDone(run: run) == ["m1", "m2", "m3", "m4"])
        let records = try await store.scoreRecords(run: run).sorted { $0.score.movementID < $1.score.movementID }
        #expect(records == chunk.compactMap { if case .scored(let r) = $0 { r } else { nil } }, "every field as recorded")
        #expect(try await store.failures(run: run) == [MovementFailure(movementID: "m4", reason: "route r9 is not in the store")])

        // A chunk with a movement that already has an outcome is refused whole.
        await #expect(throws: (any Error).self) {
            try await store.record([.scored(record("m5", exposure: 1, band: .low)),
                                    .failed(MovementFailure(movementID: "m1", reason: "again"))], run: run)
        }
        #expect(try await store.run(id: run)?.counters == RunCounters(selected: 5, scored: 3, failed: 1, recomputed: 2, reused: 1))
        #expect(try await store.movementsDone(run: run) == ["m1", "m2", "m3", "m4"])
        // So is a movement twice in one chunk.
        await #expect(throws: (any Error).self) {
            try await store.record([.scored(record("m5", exposure: 1, band: .low)),
                                    .scored(record("m5", exposure: 2, band: .low))], run: run)
        }
        #expect(try await store.movementsDone(run: run) == ["m1", "m2", "m3", "m4"])
        try await store.record([.scored(record("m5", exposure: 1, band: .low))], run: run)
        #expect(try await store.run(id: run)?.counters == RunCounters(selected: 5, scored: 4, failed: 1, recomputed: 3, reused: 1))
    }

    @Test(arguments: StoreFixture.all) func finishingCompletesOnlyARunningRun(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        let first = try await store.openRun(request()).run.id
        try await store.record([.scored(record("m1", exposure: 5, band: .low))], run: first)
        let finished = try await store.finishRun(first, at: asOf + hour)
        #expect(finished.status == .completed && finished.finishedAt == asOf + hour && finished.counters.scored == 1)
        #expect(try await store.run(id: first) == finished)
        #expect(try await store.latestCompletedRun() == finished)
        #expect(try await store.scoreRecords(run: first).first?.profile != nil, "the latest completed run keeps its profiles")
        await #expect(throws: (any Error).self) { _ = try await store.finishRun(first, at: asOf + 2 * hour) }
        await #expect(throws: (any Error).self) {
            try await store.record([.scored(record("m2", exposure: 5, band: .low))], run: first)
        }
        await #expect(throws: (any Error).self) { try await store.record([], run: 99) }
        #expect(try await store.run(id: 99) == nil)

        // A later run, running or abandoned, is not the latest completed one.
        let second = try await store.openRun(request(mode: .full)).run.id
        #expect(try await store.latestCompletedRun() == finished)
        _ = try await store.openRun(request(revision: 2))
        #expect(try await store.run(id: second)?.status == .abandoned)
        #expect(try await store.latestCompletedRun() == finished)
        await #expect(throws: (any Error).self) { _ = try await store.finishRun(second, at: asOf) }
    }

    @Test(arguments: StoreFixture.all) func summariesCountBandsFindRisesAndRankScores(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        let before = try await store.openRun(request()).run.id
        try await store.record([
            .scored(record("a", exposure: 10, band: .low)), .scored(record("b", exposure: 30, band: .moderate)),
            .scored(record("c", exposure: 60, band: .high)), .scored(record("d", exposure: 10, band: .low)),
            .failed(MovementFailure(movementID: "e", reason: "bad route")),
        ], run: before)
        _ = try await store.finishRun(before, at: asOf)
        let after = try await store.openRun(request(revision: 2)).run.id
        try await store.record([
            .scored(record("a", exposure: 70, band: .high)),  // LOW to HIGH
            .scored(record("b", exposure: 20, band: .low)),  // a fall
            .scored(record("c", exposure: 60, band: .high)),  // the same
            .scored(record("d", exposure: 150, band: .extreme)),  // LOW to EXTREME
            .scored(record("e", exposure: 300, band: .extreme)),  // failed before: no rise
            .scored(record("f", exposure: 70, band: .high)),  // new
        ], run: after)
        try await store.record([.failed(MovementFailure(movementID: "z", reason: "late")),
                                .failed(MovementFailure(movementID: "g", reason: "early"))], run: after)

        #expect(try await store.bandCounts(run: before) == [.low: 2, .moderate: 1, .high: 1, .extreme: 0])
        #expect(try await store.bandCounts(run: after) == [.low: 1, .moderate: 0, .high: 3, .extreme: 2])
        #expect(try await store.bandCounts(run: 99) == [.low: 0, .moderate: 0, .high: 0, .extreme: 0])
        let rises = try await store.bandRises(run: after, since: before).sorted { $0.current.movementID < $1.current.movementID }
        #expect(rises == [
            BandRise(current: record("a", exposure: 70, band: .high).score, previousBand: .low, previousScore: record("a", exposure: 10, band: .low).score.result.score),
            BandRise(current: record("d", exposure: 150, band: .extreme).score, previousBand: .low,
                     previousScore: record("d", exposure: 10, band: .low).score.result.score),
        ])
        #expect(try await store.scores(run: after, limit: nil).map(\.movementID) == ["e", "d", "a", "f", "c", "b"],
                "highest exposure first, ties by movement id")
        #expect(try await store.scores(run: after, limit: 3).map(\.movementID) == ["e", "d", "a"])
        #expect(try await store.scores(run: after, limit: 0).isEmpty)
        #expect(try await store.scores(run: after).first == record("e", exposure: 300, band: .extreme).score)
        #expect(try await store.failures(run: after).map(\.movementID) == ["g", "z"], "by movement id")
    }

    @Test(arguments: StoreFixture.all) func scoresCarryTheMovementsCurrentLabels(_ fixture: StoreFixture) async throws {
        let store = try await fixture.make()
        try await store.upsert(routes: [line("r1", name: "Karachi to Hub")])
        _ = try await store.upsert(movements: [Movement(id: "a", routeID: "r1", departsAt: asOf, labels: "convoy 7; escort"),
                                               Movement(id: "b", routeID: "r1", departsAt: asOf)])
        let run = try await store.openRun(request()).run.id
        // "ghost" has a score but no movement in the store.
        try await store.record([.scored(record("a", exposure: 30, band: .moderate)), .scored(record("b", exposure: 20, band: .low)),
                                .scored(record("ghost", exposure: 10, band: .low))], run: run)
        // Labels are read when the scores are, so a relabelled movement shows its new labels.
        _ = try await store.upsert(movements: [Movement(id: "b", routeID: "r1", departsAt: asOf, labels: "night")])
        let scores = try await store.scores(run: run)
        #expect(scores.map(\.movementID) == ["a", "b", "ghost"])
        #expect(scores.map(\.labels) == ["convoy 7; escort", "night", nil])
        #expect(scores.map(\.result.name) == ["Karachi to Hub", "Karachi to Hub", "Karachi to Hub"])
        // As stored, scores keep no labels (they live with movements).
        #expect(try await store.scoreRecords(run: run).allSatisfy { $0.score.labels == nil })
    }

    // MARK: Bad stored values

    static let corruptions: [Corruption] = [
        Corruption(table: "zones", row: "id = 'z1'", column: "base", damage: .set("'high'"), rowName: "\"z1\""),
        Corruption(table: "zones", row: "id = 'z1'", column: "geometry", damage: .set("'{\"type\":\"Polygon\"'"), rowName: "\"z1\""),
        Corruption(table: "zones", row: "", column: "kind", damage: .dropColumn, rowName: "\"z1\""),
        Corruption(table: "incidents", row: "id = 'i1'", column: "occurred_at", damage: .set("9e999"), rowName: "\"i1\""),
        Corruption(table: "incidents", row: "id = 'i1'", column: "created_revision", damage: .set("'one'"), rowName: "\"i1\""),
        Corruption(table: "movements", row: "id = 'm1'", column: "departs_at", damage: .set("'tomorrow'"), rowName: "\"m1\""),
        Corruption(table: "movements", row: "id = 'm1'", column: "labels", damage: .set("x'00'"), rowName: "\"m1\""),
        Corruption(table: "runs", row: "id = 1", column: "scored", damage: .set("'many'"), rowName: "id 1"),
        Corruption(table: "runs", row: "id = 1", column: "window", damage: .set("'fortnight'"), rowName: "id 1"),
        Corruption(table: "runs", row: "id = 1", column: "basis", damage: .set("NULL"), rowName: "id 1"),
        Corruption(table: "runs", row: "id = 1", column: "basis", damage: .set("'{\"incidents\": 4}'"), rowName: "id 1"),
        Corruption(table: "runs", row: "id = 1", column: "basis", damage: .set("'[1, 2]'"), rowName: "id 1"),
        Corruption(table: "scores", row: "movement_id = 's1'", column: "exposure", damage: .set("'lots'"), rowName: "\"s1\""),
        Corruption(table: "scores", row: "movement_id = 's1'", column: "band", damage: .set("'DIRE'"), rowName: "\"s1\""),
        Corruption(table: "scores", row: "movement_id = 's1'", column: "top_incidents", damage: .set("'[{\"id\":\"i1\"}]'"),
                   rowName: "\"s1\""),
        Corruption(table: "scores", row: "movement_id = 's1'", column: "profile", damage: .set("x'0102'"), rowName: "\"s1\""),
        Corruption(table: "failures", row: "movement_id = 'f1'", column: "reason", damage: .set("x'00'"), rowName: "\"f1\""),
    ]

    /// A store with one row in each table, to damage.
    func filled(_ fixture: StoreFixture) async throws -> any BatchStore {
        let store = try await fixture.make()
        try await store.upsert(zones: [Zone(id: "z1", name: "Z", kind: "zone", shape: rectangle(66, 24, 68, 26))])
        try await store.upsert(incidents: [Incident(id: "i1", location: Coordinate(67, 25), time: asOf - day)])
        try await store.upsert(routes: [line("r1")])
        _ = try await store.upsert(movements: [Movement(id: "m1", routeID: "r1", departsAt: asOf)])
        let run = try await store.openRun(request()).run.id
        try await store.record([.scored(record("s1", exposure: 5, band: .low)), .failed(MovementFailure(movementID: "f1", reason: "x"))],
                               run: run)
        return store
    }

    /// Every read that decodes the damaged table.
    func readAll(_ table: String, _ store: any BatchStore) async throws {
        switch table {
        case "zones": _ = try await store.zones()
        case "incidents": _ = try await store.incidents()
        case "movements": _ = try await store.movements()
        case "runs": _ = try await store.runs()
        case "scores": _ = try await store.scoreRecords(run: 1)
        case "failures": _ = try await store.failures(run: 1)
        default: Issue.record("no read for \(table)")
        }
    }

    @Test(arguments: StoreFixture.serialized, corruptions)
    func aBadStoredValueIsAnErrorNamingItsRowAndColumn(_ fixture: StoreFixture, _ corruption: Corruption) async throws {
        let store = try await filled(fixture)
        try await readAll(corruption.table, store)
        let corrupt = try #require(fixture.corrupt)
        try corrupt(store, corruption)
        do {
            try await readAll(corruption.table, store)
            Issue.record("\(corruption.table).\(corruption.column) read without an error")
        } catch let error as StoredValueError {
            #expect(error.table == corruption.table && error.column == corruption.column && error.row.contains(corruption.rowName),
                    "\(error)")
            #expect("\(error)".contains(corruption.table) && "\(error)".contains(corruption.column))
        }
    }
}

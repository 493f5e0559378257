import Foundation
import Geo
import PostgresNIO
import RiskBatch
import RiskCore
import Testing
@testable import RiskPostgres

/// The server's column types refuse most damage (text in a number column, NULL where NOT NULL);
/// what they allow still reads back as an error naming the table, the row and the column.
@Suite struct StoredValueTests {
    struct Damage: Sendable, CustomTestStringConvertible {
        var table: String
        var column: String
        var sql: [String]
        var rowName: String
        var testDescription: String { "\(table).\(column)" }
    }

    static let damages = [
        Damage(table: "runs", column: "window", sql: ["UPDATE runs SET \"window\" = 'fortnight'"], rowName: "id 1"),
        Damage(table: "runs", column: "status", sql: ["ALTER TABLE runs DROP CONSTRAINT runs_status_check",
                                                        "UPDATE runs SET status = 'paused'"], rowName: "id 1"),
        Damage(table: "scores", column: "band", sql: ["UPDATE scores SET band = 'DIRE'"], rowName: "movement_id \"m1\""),
        Damage(table: "scores", column: "top_incidents", sql: ["UPDATE scores SET top_incidents = '[{\"id\":\"i1\"}]'"],
               rowName: "movement_id \"m1\""),
        Damage(table: "scores", column: "profile", sql: ["UPDATE scores SET profile = '\\x0102'::bytea"], rowName: "movement_id \"m1\""),
        Damage(table: "movements", column: "status", sql: ["ALTER TABLE movements DROP CONSTRAINT movements_status_check",
                                                             "UPDATE movements SET status = 'lost'"], rowName: "id \"m1\""),
    ]

    @Test(arguments: damages) func aDamagedValueNamesItsRowAndColumn(_ damage: Damage) async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("damage") { url in
            let store = try await PostgresStore(url: url, create: true)
            try await store.upsert(routes: [Route(id: "r1", shape: .lineString([Coordinate(67, 24), Coordinate(67, 25)]))])
            _ = try await store.upsert(movements: [Movement(id: "m1", routeID: "r1", departsAt: Date(timeIntervalSince1970: 1_748_736_000))])
            let model = Model()
            let run = try await store.openRun(RunRequest(asOf: Date(timeIntervalSince1970: 1_748_736_000), window: .next(86_400),
                                                         mode: .full, model: model,
                                                         inputs: RunInputs(modelHash: "m", zonesHash: "z", incidentRevision: 0),
                                                         startedAt: Date())).run.id
            let scorer = try Scorer(try ScoringData(incidents: [], zones: [], model: model))
            let scored = try scorer.scoreWithProfile(Route(id: "r1", departsAt: Date(timeIntervalSince1970: 1_748_736_000),
                                                           shape: .lineString([Coordinate(67, 24), Coordinate(67, 25)])),
                                                     asOf: Date(timeIntervalSince1970: 1_748_736_000))
            try await store.record([.scored(ScoreRecord(score: MovementScore(movementID: "m1", routeID: "r1", result: scored.result),
                                                        routeHash: "h", method: .full, profile: scored.profile))], run: run)
            for sql in damage.sql { try await store.session.query(.init(unsafeSQL: sql), "damaging the store") }
            do {
                switch damage.table {
                case "runs": _ = try await store.runs()
                case "scores": _ = try await store.scoreRecords(run: run)
                default: _ = try await store.movements()
                }
                Issue.record("\(damage.table).\(damage.column) read without an error")
            } catch let error as StoredValueError {
                #expect(error.table == damage.table && error.column == damage.column && error.row.contains(damage.rowName), "\(error)")
                #expect(error.store.hasPrefix("postgres://"))
            }
            await store.close()
        }
    }
}

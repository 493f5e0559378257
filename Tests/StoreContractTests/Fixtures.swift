import Foundation
import Geo
import RiskBatch
import RiskCore
import Testing
@testable import RiskSQLite
@testable import RiskPostgres

/// An adapter under contract: how to make an empty store of it, and, for adapters that keep
/// serialized rows, how to damage one stored value behind the store's back.
struct StoreFixture: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () async throws -> any BatchStore
    let corrupt: (@Sendable (any BatchStore, Corruption) throws -> Void)?

    var testDescription: String { name }

    static let inMemory = StoreFixture(name: "InMemoryStore", make: { InMemoryStore() }, corrupt: nil)

    static let sqlite = StoreFixture(
        name: "SQLiteStore",
        make: {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-contract-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try SQLiteStore(path: folder.appendingPathComponent("store.sqlite").path, create: true)
        },
        corrupt: { store, corruption in
            // A second connection to the file, as another program editing it would be.
            let path = (store as! SQLiteStore).path
            let database = try SQLiteDatabase(path: path, create: false)
            switch corruption.damage {
            case .set(let expression):
                let changed = try database.run("UPDATE \(corruption.table) SET \(corruption.column) = \(expression) WHERE \(corruption.row)")
                guard changed == 1 else { throw StoreError("the corruption matched \(changed) rows") }
            case .dropColumn:
                try database.execute("ALTER TABLE \(corruption.table) DROP COLUMN \(corruption.column)")
            }
        })

    /// A fresh database on the server that `make test` starts (Tests/tools/pg-cluster.sh); absent,
    /// with the reason printed, when ROUTERISK_TEST_POSTGRES is not set. The server's column types
    /// refuse the damages the corruption cases make, so it has no `corrupt` (RiskPostgresTests
    /// checks the damages a typed schema allows).
    static let postgres: StoreFixture? = {
        guard let url = ProcessInfo.processInfo.environment["ROUTERISK_TEST_POSTGRES"] else {
            print("skipped: the PostgresStore contract runs need ROUTERISK_TEST_POSTGRES; `make test` starts a server for them")
            return nil
        }
        return StoreFixture(name: "PostgresStore", make: {
            // A new database per store, copied from the cluster's one (which has PostGIS).
            let server = try PostgresLocation(url)
            let name = "contract_\(UUID().uuidString.prefix(8).lowercased())"
            let admin = try await PostgresSession(try PostgresLocation(url.replacingOccurrences(of: "/\(server.database)", with: "/postgres")))
            try await admin.query(.init(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(server.database)"), "making a test database")
            await admin.close()
            return try await PostgresStore(url: url.replacingOccurrences(of: "/\(server.database)", with: "/\(name)"), create: true)
        }, corrupt: nil)
    }()

    static let all = [inMemory, sqlite] + (postgres.map { [$0] } ?? [])
    static let serialized = all.filter { $0.corrupt != nil }
}

/// One stored value damaged: in `table`, the row matching the SQL condition `row`, `column`.
struct Corruption: Sendable, CustomTestStringConvertible {
    enum Damage: Sendable {
        /// Set to an SQL expression.
        case set(String)
        /// Remove the column from the table.
        case dropColumn
    }

    var table: String
    var row: String
    var column: String
    var damage: Damage
    /// What the error must name as the row.
    var rowName: String

    var testDescription: String { "\(table).\(column) \(damage)" }
}

let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z
let hour: TimeInterval = 3_600
let day: TimeInterval = 86_400

func rectangle(_ west: Double, _ south: Double, _ east: Double, _ north: Double) -> Shape {
    .polygon([[Coordinate(west, south), Coordinate(east, south), Coordinate(east, north), Coordinate(west, north), Coordinate(west, south)]])
}

func line(_ id: String, lon: Double = 67, name: String? = nil) -> Route {
    Route(id: id, name: name, shape: .lineString([Coordinate(lon, 24), Coordinate(lon + 0.25, 24.5), Coordinate(lon, 25)]))
}

/// A score made up for storing: every field distinct, nothing computed.
func record(_ movementID: String, route: String = "r1", exposure: Double, band: Band, method: ScoringMethod = .full,
            profile: Bool = true) -> ScoreRecord {
    var hazard = HazardProfile()
    hazard.hazard = [0.5, 1.25, 0.75]
    hazard.along = [0.1, 0.5, 0.9]
    hazard.multiplier = [1, 2, 2]
    hazard.uniformMultiplier = [1, 2, 1.5]
    hazard.segmentKm = [1.5, 0.75]
    let result = RouteResult(
        id: route, name: nil, evaluatedAt: asOf + hour, lengthKm: 123.25, exposure: exposure, baseExposure: exposure / 4,
        incidentExposure: exposure * 3 / 4, meanHazard: exposure / 123.25, peakHazard: 2.5, peakAtKm: 17.125,
        peakLocation: Coordinate(67.125, 24.5), score: 100 * (1 - exp(-exposure / 100)), band: band,
        zones: [ZoneLength(id: "PK-SD", name: "Sindh", km: 100.5), ZoneLength(id: "z\"2", name: "Zone, two", km: 22.75)],
        topIncidents: [IncidentContribution(id: "i1", exposure: exposure / 2, share: 2.0 / 3, closestKm: 0.375, atKm: 12.5),
                       IncidentContribution(id: "i2", exposure: exposure / 4, share: 1.0 / 3, closestKm: 4.0, atKm: 99.0)])
    return ScoreRecord(score: MovementScore(movementID: movementID, routeID: route, result: result), routeHash: "hash-\(route)",
                       method: method, profile: profile ? hazard : nil)
}

/// A run's basis made up for storing: every field distinct, nothing computed.
let sampleBasis = RunBasis(incidents: 40, applicable: 31, decayed: 6, afterEvaluation: 3, earliest: asOf - 900.5 * day,
                           latest: asOf - 0.25, departuresFrom: asOf + hour, departuresTo: asOf + 23 * hour, zones: 9,
                           coverage: [.inside: 12, .partly: 2, .outside: 1])

func request(asOf: Date = asOf, asOfGiven: Bool = true, window: BatchWindow = .next(day), mode: RunMode = .incremental,
             modelHash: String = "m1", revision: Int = 1, startedAt: Date = asOf, basis: RunBasis = sampleBasis) -> RunRequest {
    RunRequest(asOf: asOf, asOfGiven: asOfGiven, window: window, mode: mode, model: Model(),
               inputs: RunInputs(modelHash: modelHash, zonesHash: "z1", incidentRevision: revision), startedAt: startedAt,
               basis: basis)
}

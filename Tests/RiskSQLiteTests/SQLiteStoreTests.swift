import Foundation
import Geo
import RiskCore
import RiskIO
import RiskSynth
import Testing
@testable import RiskStore

let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z

func temporaryStorePath(_ name: String = #function) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("routerisk-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("store.sqlite").path
}

func meridian(_ id: String, lon: Double = 67, from south: Double = 24, to north: Double = 26) -> Route {
    Route(id: id, shape: .lineString([Coordinate(lon, south), Coordinate(lon, north)]))
}

func incident(_ id: String, _ lon: Double, _ lat: Double, at time: Date, killed: Double = 5) -> Incident {
    Incident(id: id, location: Coordinate(lon, lat), time: time, killed: killed)
}

@Suite struct StoreTests {
    @Test func migrationsRunOnceAndRecordTheVersion() throws {
        let path = temporaryStorePath()
        do {
            let store = try Store(path: path, create: true)
            #expect(try store.version() == Store.schemaVersion)
            #expect(try store.database.scalar("PRAGMA journal_mode").string == "wal")
            #expect(try store.database.scalar("PRAGMA foreign_keys").int == 1)
            try store.upsert(zones: [Zone(id: "z", name: "Z", kind: "zone", shape: .polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]))])
        }
        // Opening again keeps the data and runs nothing twice.
        let again = try Store(path: path)
        #expect(try again.version() == Store.schemaVersion)
        #expect(try again.counts().zones == 1)
        // A store from a newer routerisk is refused, not damaged.
        try again.database.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { _ = try Store(path: path) }
        #expect(throws: StoreError.self) { _ = try Store(path: temporaryStorePath() + "-missing") }
    }

    @Test func importsAddOrUpdateById() throws {
        let store = try Store(path: temporaryStorePath(), create: true)
        let square: Shape = .polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1), Coordinate(0, 0)]])
        try store.upsert(zones: [Zone(id: "z", name: "Old", kind: "zone", base: 0.1, shape: square)])
        try store.upsert(zones: [Zone(id: "z", name: "New", kind: "zone", base: 0.2, multiplier: 2, shape: square)])
        let zones = try store.zones()
        #expect(zones.count == 1 && zones[0].name == "New" && zones[0].base == 0.2 && zones[0].multiplier == 2 && zones[0].shape == square)

        let a = incident("a", 67, 25, at: asOf)
        #expect(try store.upsert(incidents: [a, incident("b", 68, 25, at: asOf)]) == (2, 0))
        #expect(try store.incidentRevision() == 1)
        var moved = a
        moved.location = Coordinate(67.5, 25)
        #expect(try store.upsert(incidents: [moved, incident("b", 68, 25, at: asOf)]) == (0, 1))
        #expect(try store.incidentRevision() == 2)
        #expect(try store.upsert(incidents: [moved]) == (0, 0))
        #expect(try store.incidentRevision() == 2, "an import that changes nothing leaves the revision alone")
        #expect(try store.incidents().first { $0.id == "a" }?.location == Coordinate(67.5, 25))

        let multi = Route(id: "m", shape: .multiLineString([[Coordinate(67, 24), Coordinate(67.5, 24.2)], [Coordinate(68, 25), Coordinate(68.1, 25.3)]]))
        try store.upsert(routes: [meridian("r1"), multi])
        #expect(try store.database.scalar("SELECT COUNT(*) FROM routes WHERE lines IS NOT NULL").int == 2)
        let stored = try store.routes().routes
        #expect(stored["r1"]?.shape == meridian("r1").shape && stored["m"]?.shape == multi.shape)
        // Editing the GeoJSON alone drops the binary copy, so the edit is what is read.
        try store.database.run("UPDATE routes SET geometry = ? WHERE id = 'm'", #"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#)
        #expect(try store.routes().routes["m"]?.shape == .lineString([Coordinate(1, 2), Coordinate(3, 4)]))
        let refused = try store.upsert(movements: [
            Movement(id: "m1", routeID: "r1", departsAt: asOf),
            Movement(id: "m2", routeID: "nowhere", departsAt: asOf),
        ])
        #expect(refused.map(\.id) == ["m2"])
        #expect(refused[0].reason.contains("nowhere"))
        try store.upsert(movements: [Movement(id: "m1", routeID: "r1", departsAt: asOf, status: .cancelled, labels: "convoy 7")])
        #expect(try store.movements() == [Movement(id: "m1", routeID: "r1", departsAt: asOf, status: .cancelled, labels: "convoy 7")])
    }

    @Test func movementFilesReportBadRowsById() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rr-mv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = folder.appendingPathComponent("movements.csv")
        try """
        id,route_id,departs_at,status,labels
        m1,r1,2025-06-01T06:00:00Z,,convoy-1
        m2,r1,not a date,scheduled,
        m3,r1,2025-06-01,lost,
        m1,r1,2025-06-02,,
        m4,,2025-06-02,,
        """.write(to: csv, atomically: true, encoding: .utf8)
        let read = try MovementReader().read(contentsOf: csv)
        #expect(read.items.map(\.movement.id) == ["m1"])
        #expect(read.items[0].movement.departsAt == Date(timeIntervalSince1970: 1_748_757_600))
        #expect(read.warnings.map(\.location) == ["line 3", "line 4", "line 5", "line 6"])
        #expect(read.warnings.map(\.field) == ["departs_at", "status", "id", "route_id"])
        #expect(throws: InputError.self) { _ = try MovementReader(strict: true).read(contentsOf: csv) }

        let geojson = folder.appendingPathComponent("movements.geojson")
        try """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"id":"g1","departs_at":"2025-06-01T00:00:00Z"},
           "geometry":{"type":"LineString","coordinates":[[67,24],[67,25]]}},
          {"type":"Feature","properties":{"id":"g2","route_id":"r1","departs_at":"2025-06-01T00:00:00Z","status":"done"},"geometry":null}
        ]}
        """.write(to: geojson, atomically: true, encoding: .utf8)
        let features = try MovementReader().read(contentsOf: geojson)
        #expect(features.warnings.isEmpty)
        #expect(features.items.map(\.movement.routeID) == ["movement-g1", "r1"])
        #expect(features.items[0].ownRoute?.shape == .lineString([Coordinate(67, 24), Coordinate(67, 25)]))
        #expect(features.items[1].movement.status == .done)
    }
}

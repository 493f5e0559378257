import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

@Suite struct MovementReaderTests {
    @Test func movementFilesReportBadRowsById() throws {
        let folder = try TempDirectory()
        let csv = try folder.write("movements.csv", """
            id,route_id,departs_at,status,labels
            m1,r1,2025-06-01T06:00:00Z,,convoy-1
            m2,r1,not a date,scheduled,
            m3,r1,2025-06-01,lost,
            m1,r1,2025-06-02,,
            m4,,2025-06-02,,
            """)
        let read = try MovementReader().read(contentsOf: csv)
        #expect(read.items.map(\.movement.id) == ["m1"])
        #expect(read.items[0].movement.departsAt == epoch(1_748_757_600))  // date -u -d 2025-06-01T06:00:00Z +%s
        #expect(read.warnings.map(\.location) == ["line 3", "line 4", "line 5", "line 6"])
        #expect(read.warnings.map(\.field) == ["departs_at", "status", "id", "route_id"])
        #expect(throws: InputError.self) { _ = try MovementReader(strict: true).read(contentsOf: csv) }

        let geojson = try folder.write("movements.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"g1","departs_at":"2025-06-01T00:00:00Z"},
               "geometry":{"type":"LineString","coordinates":[[67,24],[67,25]]}},
              {"type":"Feature","properties":{"id":"g2","route_id":"r1","departs_at":"2025-06-01T00:00:00Z","status":"done"},"geometry":null}
            ]}
            """)
        let features = try MovementReader().read(contentsOf: geojson)
        #expect(features.warnings.isEmpty)
        #expect(features.items.map(\.movement.routeID) == ["movement-g1", "r1"])
        #expect(features.items[0].ownRoute?.shape == .lineString([Coordinate(67, 24), Coordinate(67, 25)]))
        #expect(features.items[1].movement.status == .done)
    }
}

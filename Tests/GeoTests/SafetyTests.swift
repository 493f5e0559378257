import Foundation
import Testing
@testable import Geo

@Suite struct SafetyTests {
    /// Each task makes its own GEOS and PROJ contexts; results must match a serial computation.
    @Test func concurrentTasksWithTheirOwnContexts() async throws {
        func work(_ seed: UInt64) throws -> (Double, Double, Coordinate) {
            let context = try GeometryContext()
            let transformer = try WorkingCRS(fitting: WorkingCRS.pakistanExtent).transformer()
            var random = SplitMix64(seed: seed)
            var clipped = 0.0
            var lastProjected = Coordinate(0, 0)
            var distance = 0.0
            for _ in 0..<300 {
                let x = random.uniform(0, 10)
                let line = try Geometry(wkt: "LINESTRING (\(x) -5, \(x) 5)", in: context)
                let box = try Geometry(wkt: "POLYGON ((0 -1, 10 -1, 10 1, 0 1, 0 -1))", in: context).prepared()
                if try box.intersects(line) { clipped += try line.intersection(box.base).length() }
                let point = Coordinate(random.uniform(61, 77), random.uniform(24, 37))
                lastProjected = try transformer.transform(point)
                distance += try Geodesic.wgs84.distanceKm(point, Coordinate(67, 25))
            }
            return (clipped, distance, lastProjected)
        }
        let expected = try (0..<8).map { try work(UInt64($0)) }
        let results = try await withThrowingTaskGroup(of: (Int, (Double, Double, Coordinate)).self) { group in
            for task in 0..<8 { group.addTask { (task, try work(UInt64(task))) } }
            var collected = [Int: (Double, Double, Coordinate)]()
            for try await (task, result) in group { collected[task] = result }
            return collected
        }
        for task in 0..<8 {
            let (clipped, distance, projected) = try #require(results[task])
            #expect(clipped == 2 * 300)
            #expect(clipped == expected[task].0)
            #expect(distance == expected[task].1)
            #expect(projected == expected[task].2)
        }
    }

    /// Creates and frees 100,000 geometries and prepared geometries. Run under valgrind or
    /// `swift test --sanitize=address` to see that nothing leaks; here it checks they work.
    @Test func hundredThousandGeometriesAndPreparedGeometries() throws {
        let context = try GeometryContext()
        var covered = 0
        for i in 0..<100_000 {
            let x = Double(i % 100)
            let square = try Geometry(.polygon([[Coordinate(x, 0), Coordinate(x + 1, 0), Coordinate(x + 1, 1),
                                                 Coordinate(x, 1), Coordinate(x, 0)]]), in: context)
            let prepared = try square.prepared()
            if try prepared.covers(Coordinate(x + 0.5, 0.5)) { covered += 1 }
        }
        #expect(covered == 100_000)
    }
}

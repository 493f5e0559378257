import Foundation
import Geo
import Testing
@testable import RiskCore

/// Compares the exact scorer with a brute-force reference written here: the route sampled every
/// 50 m along its geodesics, hazard at each sample from geodesic distances to every incident and
/// from point-in-polygon zone tests, integrated with the midpoint rule.
@Suite struct ReferenceIntegrationTests {
    let geodesic = Geodesic.wgs84

    struct Reference {
        var base = 0.0
        var incident = 0.0
        var peak = 0.0
        var total: Double { base + incident }
    }

    func reference(_ route: Route, incidents: [Incident], zones: [Zone], model: Model, at time: Date) throws -> Reference {
        let context = try GeometryContext()
        let zoneGeometries = try zones.map { try Geometry($0.shape, in: context).prepared() }
        let live: [(Coordinate, Double)] = incidents.compactMap { i in
            model.decay(of: i.time, at: time).map { (i.location, model.weight(i) * $0) }
        }
        var result = Reference()
        for part in route.shape.lineParts ?? [] {
            for (a, b) in zip(part, part.dropFirst()) {
                let length = try geodesic.distanceKm(a, b)
                let steps = max(1, Int((length / 0.05).rounded(.up)))
                let points = geodesic.intermediatePoints(from: a, to: b, count: 2 * steps)
                let ds = length / Double(steps)
                for step in 0..<steps {
                    let x = points[2 * step + 1]
                    let covering = try zones.indices.filter { try zoneGeometries[$0].covers(x) }
                    let m = covering.reduce(1) { $0 * zones[$1].multiplier }
                    let base = covering.map { zones[$0].base }.max() ?? 0
                    let field = try live.reduce(0) { sum, item in sum + item.1 * model.kernel(try geodesic.distanceKm(x, item.0)) }
                    result.base += m * base * ds
                    result.incident += m * field * ds
                    result.peak = max(result.peak, m * (base + field))
                }
            }
        }
        return result
    }

    @Test(arguments: [2.0, 5.0, 10.0, 25.0])
    func exactScoringAgreesWithFineGeodesicSampling(sigma: Double) throws {
        var random = SeededGenerator(seed: UInt64(sigma * 100))
        // A winding 250 km route near Karachi, with incidents scattered around it.
        var waypoints = [Coordinate(66.95, 24.85)]
        var heading = 40.0
        for _ in 0..<12 {
            heading += random.uniform(-35, 35)
            waypoints.append(try geodesic.direct(from: waypoints.last!, azimuth: heading, distanceKm: random.uniform(10, 30)).position)
        }
        let route = Route(id: "winding", shape: .lineString(waypoints))
        let box = Envelope(covering: waypoints)!.expanded(by: 0.3)
        let incidents = (0..<60).map { n in
            incident("i\(n)", random.uniform(box.minX, box.maxX), random.uniform(box.minY, box.maxY),
                     daysBefore: random.uniform(0, 1500), killed: Double(Int(random.uniform(0, 20))),
                     injured: Double(Int(random.uniform(0, 40))), category: n % 3 == 0 ? "suicide bombing" : "bombing")
        }
        let c = box.center
        let zones = [
            Zone(id: "wide", name: "Wide", kind: "province", base: 0.05, multiplier: 1,
                 shape: rectangle(box.minX, box.minY, c.x + 0.1, box.maxY)),
            Zone(id: "triangle", name: "Triangle", kind: "zone", base: 0.3, multiplier: 1.7,
                 shape: .polygon([[Coordinate(c.x - 0.4, c.y - 0.3), Coordinate(c.x + 0.5, c.y - 0.2),
                                   Coordinate(c.x, c.y + 0.45), Coordinate(c.x - 0.4, c.y - 0.3)]])),
            Zone(id: "ring", name: "Ring with a hole", kind: "zone", base: 0, multiplier: 0.6,
                 shape: .polygon([
                     [Coordinate(box.minX, box.minY), Coordinate(box.maxX, box.minY), Coordinate(box.maxX, c.y),
                      Coordinate(box.minX, c.y), Coordinate(box.minX, box.minY)],
                     [Coordinate(c.x - 0.2, box.minY + 0.1), Coordinate(c.x + 0.2, box.minY + 0.1), Coordinate(c.x + 0.2, c.y - 0.1),
                      Coordinate(c.x - 0.2, c.y - 0.1), Coordinate(c.x - 0.2, box.minY + 0.1)],
                 ])),
        ]
        var model = Model()
        model.kernel = .gaussian(sigmaKm: sigma)
        model.halfLifeDays = 500
        model.categoryWeights = ["suicide bombing": 2]
        let exact = try score(route, incidents: incidents, zones: zones, model: model)
        let brute = try reference(route, incidents: incidents, zones: zones, model: model, at: epoch)
        print("sigma \(sigma): exposure \(exact.exposure) vs \(brute.total), base \(exact.baseExposure) vs \(brute.base), "
              + "incident \(exact.incidentExposure) vs \(brute.incident), peak \(exact.peakHazard) vs \(brute.peak)")
        #expect(brute.incident > 0 && brute.base > 0)
        #expect(relativeError(exact.exposure, brute.total) < 0.005)
        #expect(relativeError(exact.baseExposure, brute.base) < 0.005)
        #expect(relativeError(exact.incidentExposure, brute.incident) < 0.005)
        #expect(relativeError(exact.peakHazard, brute.peak) < 0.005)
        #expect(exact.peakHazard >= brute.peak * (1 - 1e-4), "the refined peak is not below the best sample")
    }
}

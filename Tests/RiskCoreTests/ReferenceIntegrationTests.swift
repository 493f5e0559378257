import Foundation
import Geo
import Testing
@testable import RiskCore

/// The exact scorer against a brute-force reference written here from the spec's formulas alone
/// (`scoring-model.md`, definitions 1 to 8): severity, weight, decay, the truncated Gaussian and the
/// zone terms are evaluated below without any function of RiskCore, zones are located with a
/// point-in-polygon test written here, and the route is sampled along its geodesics every 50 m or
/// finer (Geo's `Geodesic`, checked against Vincenty in GeoTests), with zone boundaries and the
/// kernel's cutoff crossings located by bisection to a tenth of a millimetre. Only the scorer under
/// test sees a `Model`.
@Suite struct ReferenceIntegrationTests {
    let geodesic = Geodesic.wgs84

    /// One case's model, as the plain numbers of the spec's model file.
    struct Parameters: Sendable, CustomStringConvertible {
        var sigma: Double
        var cutoffSigmas: Double
        var halfLifeDays: Double
        var minDecay: Double
        var killedWeight: Double
        var injuredWeight: Double
        /// Lookup tables with keys as a model file would write them (lower case).
        var categoryWeights: [String: Double]
        var targetWeights: [String: Double]

        /// The same numbers for the scorer under test.
        var model: Model {
            var model = Model()
            model.kernel = .gaussian(sigmaKm: sigma, cutoffSigmas: cutoffSigmas)
            model.halfLifeDays = halfLifeDays
            model.minDecay = minDecay
            model.killedWeight = killedWeight
            model.injuredWeight = injuredWeight
            model.categoryWeights = categoryWeights
            model.targetWeights = targetWeights
            return model
        }

        var description: String { "sigma \(sigma), cutoff \(cutoffSigmas), half-life \(halfLifeDays), min_decay \(minDecay)" }
    }

    static let cases: [Parameters] = [
        Parameters(sigma: 2, cutoffSigmas: 3, halfLifeDays: 90, minDecay: 0.01, killedWeight: 0.8, injuredWeight: 0.3,
                   categoryWeights: ["suicide bombing": 2.5, "ied": 0.6], targetWeights: ["foreign nationals": 1.8, "police": 1.2]),
        Parameters(sigma: 5, cutoffSigmas: 2.5, halfLifeDays: 365, minDecay: 0.05, killedWeight: 1.5, injuredWeight: 0.2,
                   categoryWeights: ["suicide bombing": 2, "armed assault": 1.3], targetWeights: ["police": 0.7]),
        Parameters(sigma: 10, cutoffSigmas: 3, halfLifeDays: 200, minDecay: 0.01, killedWeight: 1, injuredWeight: 0.5,
                   categoryWeights: ["ied": 1.7], targetWeights: ["foreign nationals": 2, "civilians": 0.9]),
        Parameters(sigma: 25, cutoffSigmas: 4, halfLifeDays: 1_000, minDecay: 0.02, killedWeight: 0.5, injuredWeight: 1,
                   categoryWeights: ["suicide bombing": 3, "armed assault": 0.5], targetWeights: ["police": 1.5]),
    ]

    // MARK: The spec's formulas

    /// Definition 2's lookup: labels compare case-insensitively after trimming; a missing key weighs 1.
    static func lookup(_ label: String?, in table: [String: Double]) -> Double {
        guard let label else { return 1 }
        return table[label.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()] ?? 1
    }

    /// `w_i D_i(T)`, or nil when the incident does not exist at `time` (definitions 1 to 3).
    static func amplitude(_ incident: Incident, at time: Date, _ p: Parameters) -> Double? {
        let ageDays = time.timeIntervalSince(incident.time) / 86_400
        guard ageDays >= 0 else { return nil }
        let decay = pow(0.5, ageDays / p.halfLifeDays)
        guard decay >= p.minDecay else { return nil }
        let severity = 1 + log(1 + p.killedWeight * incident.killed + p.injuredWeight * incident.injured)
        return severity * lookup(incident.category, in: p.categoryWeights) * lookup(incident.target, in: p.targetWeights) * decay
    }

    /// Even-odd ray casting over every ring in longitude/latitude (holes flip the parity back).
    static func inside(_ x: Coordinate, _ shape: Shape) -> Bool {
        var crossings = 0
        for polygon in shape.polygons ?? [] {
            for ring in polygon {
                for (a, b) in zip(ring, ring.dropFirst()) where (a.y > x.y) != (b.y > x.y) {
                    let lon = a.x + (x.y - a.y) / (b.y - a.y) * (b.x - a.x)
                    if x.x < lon { crossings += 1 }
                }
            }
        }
        return crossings % 2 == 1
    }

    struct Reference {
        var base = 0.0
        var incident = 0.0
        var peak = 0.0
        var total: Double { base + incident }
    }

    /// What the spec defines at one point of the route: which zones cover it, which incidents
    /// are within the kernel's cutoff, and `M`, `B` and `I_T` there.
    struct Sample {
        var covering: [Bool]
        var within: [Bool]
        var m: Double
        var base: Double
        var field: Double
        var hazard: Double { m * (base + field) }

        /// Same zones and same incidents in reach: the integrand is smooth between two such points.
        func matches(_ other: Sample) -> Bool { covering == other.covering && within == other.within }
    }

    /// Integrates `M B` and `M I_T` along every part of the route (definitions 5 to 8): each
    /// geodesic segment is cut into pieces of at most `h` km; a piece whose ends and middle differ
    /// in zones or in incidents within the cutoff is halved until it is under 1e-7 km, so every
    /// boundary and every cutoff crossing is located; each piece is integrated by Simpson's rule
    /// (its integrand is a smooth sum of Gaussians there). The peak is the largest sample.
    func reference(_ route: Route, incidents: [Incident], zones: [Zone], parameters p: Parameters, at time: Date) throws -> Reference {
        let live: [(location: Coordinate, amplitude: Double)] = incidents.compactMap { i in
            Self.amplitude(i, at: time, p).map { (i.location, $0) }
        }
        let reach = p.cutoffSigmas * p.sigma
        func sample(_ x: Coordinate) throws -> Sample {
            let covering = zones.map { Self.inside(x, $0.shape) }
            let chosen = zones.indices.filter { covering[$0] }
            var within: [Bool] = []
            var field = 0.0
            for item in live {
                let d = try geodesic.distanceKm(x, item.location)
                within.append(d <= reach)
                if d <= reach { field += item.amplitude * exp(-d * d / (2 * p.sigma * p.sigma)) }
            }
            return Sample(covering: covering, within: within, m: chosen.reduce(1) { $0 * zones[$1].multiplier },
                          base: chosen.map { zones[$0].base }.max() ?? 0, field: field)
        }

        let h = min(0.05, p.sigma / 50)
        var result = Reference()
        for part in route.shape.lineParts ?? [] {
            for (a, b) in zip(part, part.dropFirst()) {
                let line = try geodesic.inverse(from: a, to: b)
                func point(_ s: Double) throws -> Coordinate {
                    try geodesic.direct(from: a, azimuth: line.azimuth1, distanceKm: s).position
                }
                func integrate(_ s0: Double, _ s1: Double, _ start: Sample, _ end: Sample) throws {
                    let middle = try sample(point((s0 + s1) / 2))
                    result.peak = max(result.peak, middle.hazard)
                    if !(start.matches(end) && middle.matches(start)) && s1 - s0 > 1e-7 {
                        try integrate(s0, (s0 + s1) / 2, start, middle)
                        try integrate((s0 + s1) / 2, s1, middle, end)
                        return
                    }
                    result.base += middle.m * middle.base * (s1 - s0)
                    result.incident += (start.m * start.field + 4 * middle.m * middle.field + end.m * end.field) / 6 * (s1 - s0)
                }
                let steps = max(1, Int((line.distanceKm / h).rounded(.up)))
                var previous = try sample(a)
                result.peak = max(result.peak, previous.hazard)
                for step in 0..<steps {
                    let s0 = line.distanceKm * Double(step) / Double(steps), s1 = line.distanceKm * Double(step + 1) / Double(steps)
                    let next = try sample(step + 1 == steps ? b : point(s1))
                    result.peak = max(result.peak, next.hazard)
                    try integrate(s0, s1, previous, next)
                    previous = next
                }
            }
        }
        return result
    }

    // MARK: The comparison

    /// A winding route of two parts with a gap between them near Karachi, the same incidents and
    /// zones for every case: incidents scattered around it with casualties, labels in mixed case
    /// and padded, some in the future and some decayed below `min_decay`; a province-like zone
    /// with a base, a triangle with a base and a multiplier, and a ring with a hole. Every tenth
    /// incident lies up to 60 days in the future; the others are dated up to 20 % past
    /// `lifetimeDays`, the age at which they decay below `min_decay`.
    func scene(seed: UInt64, lifetimeDays: Double) throws -> (route: Route, incidents: [Incident], zones: [Zone]) {
        var random = SeededGenerator(seed: seed)
        var waypoints = [Coordinate(66.95, 24.85)]
        var heading = 40.0
        for _ in 0..<12 {
            heading += random.uniform(-35, 35)
            waypoints.append(try geodesic.direct(from: waypoints.last!, azimuth: heading, distanceKm: random.uniform(10, 30)).position)
        }
        let gapStart = try geodesic.direct(from: waypoints[6], azimuth: heading + 90, distanceKm: 8).position
        let route = Route(id: "winding", shape: .multiLineString([Array(waypoints[0...6]), [gapStart] + Array(waypoints[7...])]))
        let box = Envelope(covering: waypoints + [gapStart])!.expanded(by: 0.3)
        let categories: [String?] = ["Suicide Bombing ", "IED", " armed assault", "bombing", nil]
        let targets: [String?] = [" Foreign Nationals", "POLICE", "civilians", nil]
        let incidents = (0..<80).map { n in
            incident("i\(n)", random.uniform(box.minX, box.maxX), random.uniform(box.minY, box.maxY),
                     daysBefore: n % 10 == 0 ? -random.uniform(1, 60) : random.uniform(0, 1.2) * lifetimeDays,
                     killed: Double(Int(random.uniform(0, 20))), injured: Double(Int(random.uniform(0, 40))),
                     category: categories[n % categories.count], target: targets[n % targets.count])
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
        return (route, incidents, zones)
    }

    /// The README claims better than 0.1 %; observed agreement is tighter, so the test holds the
    /// scorer to a few times what it achieves. Incident exposure and peak agree within 4e-5. Base
    /// exposure within 1.4e-4: the scorer cuts zones along the straight longitude/latitude chord
    /// of each segment while the route follows its geodesic, which moves a boundary crossing by
    /// metres on 30 km segments.
    static let incidentTolerance = 1e-4
    static let baseTolerance = 3e-4

    @Test(arguments: cases)
    func exactScoringAgreesWithTheSpecIntegratedByFineSampling(parameters: Parameters) throws {
        // The age at which an incident decays below min_decay: 0.5^(age / tau) = min_decay.
        let lifetime = parameters.halfLifeDays * log2(1 / parameters.minDecay)
        let (route, incidents, zones) = try scene(seed: UInt64(parameters.sigma * 100), lifetimeDays: lifetime)
        let exact = try score(route, incidents: incidents, zones: zones, model: parameters.model)
        let brute = try reference(route, incidents: incidents, zones: zones, parameters: parameters, at: epoch)
        let live = incidents.filter { Self.amplitude($0, at: epoch, parameters) != nil }.count
        let future = incidents.filter { $0.time > epoch }.count
        print("reference, \(parameters): \(live) of \(incidents.count) incidents count, \(future) in the future; "
              + "exposure \(exact.exposure) vs \(brute.total) (\(relativeError(exact.exposure, brute.total))), "
              + "base \(exact.baseExposure) vs \(brute.base) (\(relativeError(exact.baseExposure, brute.base))), "
              + "incident \(exact.incidentExposure) vs \(brute.incident) (\(relativeError(exact.incidentExposure, brute.incident))), "
              + "peak \(exact.peakHazard) vs \(brute.peak) (\(relativeError(exact.peakHazard, brute.peak)))")
        // The scene must exercise every term: future and decayed incidents left out, labels
        // weighted, both zone terms present.
        #expect(live > 40 && future > 0 && live + future < incidents.count)
        #expect(brute.incident > 0 && brute.base > 0)
        #expect(relativeError(exact.exposure, brute.total) < Self.baseTolerance)
        #expect(relativeError(exact.baseExposure, brute.base) < Self.baseTolerance)
        #expect(relativeError(exact.incidentExposure, brute.incident) < Self.incidentTolerance)
        #expect(relativeError(exact.peakHazard, brute.peak) < Self.incidentTolerance)
    }
}

import Foundation
import Geo
import RiskSynth
import Testing
@testable import RiskCore

/// The disk kernel, `K(d) = 1` for `d <= radius`, else 0, against values derived here: the
/// exposure of a straight route through a disk is the incident's `w D` times the chord
/// `2 sqrt(R^2 - a^2)` at distance `a`, with `w` from the spec's severity formula and `D` from
/// its decay law, and the peak is the sum of the weights of the disks that overlap on the route.
/// Routes are meridians of at most 80 km, where the plane chord and the geodesic one differ by
/// about (R / 6371 km)^2 = 2.5e-6 relative; the scorer's chords agree to about 1e-6.
@Suite struct DiskKernelTests {
    let geodesic = Geodesic.wgs84
    let radius = 10.0

    var model: Model {
        var model = Model()
        model.kernel = .disk(radiusKm: radius)
        model.categoryWeights = ["ied": 1.5]
        return model
    }

    /// The spec's weight and decay, written out: `(1 + ln(1 + a k + b i)) C 0.5^(age / tau)`.
    func amplitude(killed: Double, injured: Double, category: Double = 1, daysBefore: Double) -> Double {
        (1 + log(1 + 1.0 * killed + 0.5 * injured)) * category * pow(0.5, daysBefore / 365)
    }

    /// A point `km` east of the meridian 67 E at `lat`, along the geodesic perpendicular to it.
    func east(of lat: Double, km: Double) throws -> Coordinate {
        try geodesic.direct(from: Coordinate(67, lat), azimuth: 90, distanceKm: km).position
    }

    /// Km along the meridian 67 E from `south` to `lat`.
    func along(from south: Double, to lat: Double) throws -> Double {
        try geodesic.distanceKm(Coordinate(67, south), Coordinate(67, lat))
    }

    @Test func theKernelIsOneWithinTheRadius() {
        let disk = Kernel.disk(radiusKm: 10)
        #expect([0, 5, 10].map { disk($0) } == [1, 1, 1])
        #expect([10.000001, 30].map { disk($0) } == [0, 0])
        #expect(disk.value(squaredKm: 100) == 1 && disk.value(squaredKm: 100.0001) == 0)
        #expect(disk.cutoffKm == 10)
        // The Gaussian beside it, as the spec writes it.
        let gaussian = Kernel.gaussian(sigmaKm: 4, cutoffSigmas: 3)
        #expect(relativeError(gaussian(5), exp(-25.0 / 32)) < 1e-15)
        #expect(relativeError(gaussian.value(squaredKm: 25), exp(-25.0 / 32)) < 1e-15)
        #expect(gaussian(12.000001) == 0 && gaussian.cutoffKm == 12)
    }

    @Test func updatingWithNewIncidentsEqualsScoringFromScratch() throws {
        let synth = SyntheticPakistan(seed: 8)
        let old = synth.incidents(count: 1_000, end: epoch, idPrefix: "old")
        let new = SyntheticPakistan(seed: 9).incidents(count: 40, end: epoch, years: 1, idPrefix: "new")
        let zones = [Zone(id: "band", name: "Band", kind: "zone", base: 0.1, multiplier: 1.5, shape: rectangle(60, 27, 78, 30))]
        let before = try Scorer(ScoringData(incidents: old, zones: zones, model: model))
        let after = try Scorer(ScoringData(incidents: old + new, zones: zones, model: model))
        var changed = 0
        for route in synth.routes(count: 30, minKm: 100, maxKm: 400) {
            let (previous, profile) = try before.scoreWithProfile(route, asOf: epoch)
            let full = try after.score(route, asOf: epoch)
            let (updated, _) = try after.update(route, previous: previous, profile: profile, added: Set(old.count..<(old.count + new.count)))
            if full.exposure != previous.exposure { changed += 1 }
            #expect(relativeError(updated.exposure, full.exposure) < 1e-9, "\(route.id)")
            #expect(updated.topIncidents.map(\.id) == full.topIncidents.map(\.id), "\(route.id) top")
            // Pieces a new disk covers are raised by its weight; those its edge crosses are swept
            // again: the peak is the full one, but for the profile's 32-bit floats.
            #expect(relativeError(updated.peakHazard, full.peakHazard) < 1e-6, "\(route.id) peak")
            #expect(abs(updated.peakAtKm - full.peakAtKm) < 1e-3, "\(route.id) peak at")
        }
        #expect(changed > 5, "the new incidents should touch several routes")
    }

    @Test func aStraightRouteThroughADiskIsWeightTimesTheChord() throws {
        let route = meridianRoute(from: 24.8, to: 25.2)
        for a in [0.0, 3.0, 6.0, 9.5] {
            let site = try east(of: 25, km: a)
            let result = try score(route, incidents: [incident("a", site.x, site.y, daysBefore: 100, killed: 2, injured: 3,
                                                               category: "IED")], model: model)
            let chord = 2 * (radius * radius - a * a).squareRoot()
            let expected = amplitude(killed: 2, injured: 3, category: 1.5, daysBefore: 100) * chord
            #expect(relativeError(result.incidentExposure, expected) < 1e-5, "a = \(a)")
            #expect(result.baseExposure == 0)
            let top = try #require(result.topIncidents.first)
            #expect(top.share == 1)
            #expect(abs(top.closestKm - a) < 1e-6)
            #expect(abs(top.atKm - (try along(from: 24.8, to: 25))) < 1e-6)
            // Anywhere on the chord the hazard is the incident's w D: the peak, first reached where
            // the route enters the disk.
            #expect(relativeError(result.peakHazard, expected / chord) < 1e-12)
            #expect(abs(result.peakAtKm - (try along(from: 24.8, to: 25) - chord / 2)) < 1e-4, "a = \(a)")
        }
    }

    @Test func theChordMatchesTheGeodesicCircle() throws {
        // Independently of the plane formula: where the meridian is exactly `radius` from the
        // incident, found by bisection on geodesic distances.
        let site = try east(of: 25, km: 7)
        func crossing(_ inside: Double, _ outside: Double) throws -> Double {
            var (low, high) = (inside, outside)
            for _ in 0..<60 {
                let middle = (low + high) / 2
                if try geodesic.distanceKm(Coordinate(67, middle), site) <= radius { low = middle } else { high = middle }
            }
            return low
        }
        let chord = try geodesic.distanceKm(Coordinate(67, try crossing(25, 24.8)), Coordinate(67, try crossing(25, 25.2)))
        let result = try score(meridianRoute(from: 24.8, to: 25.2), incidents: [incident("a", site.x, site.y)], model: model)
        #expect(relativeError(result.incidentExposure, chord) < 1e-5)
    }

    @Test func aTangentRouteAndAnIncidentBeyondTheRadiusGetNothing() throws {
        let route = meridianRoute(from: 24.8, to: 25.2)
        let tangent = try east(of: 25, km: radius)
        let touching = try score(route, incidents: [incident("t", tangent.x, tangent.y, killed: 5)], model: model)
        // The chord of a route that only touches the disk has no length; rounding in the distance
        // of 1e-7 relative would leave 2 sqrt(2e-7) R = 0.009 km of it.
        #expect(touching.incidentExposure <= amplitude(killed: 5, injured: 0, daysBefore: 0) * 2 * (2e-7).squareRoot() * radius)
        let outside = try east(of: 25, km: radius + 0.05)
        let beyond = try score(route, incidents: [incident("b", outside.x, outside.y, killed: 5)], model: model)
        #expect(beyond.incidentExposure == 0)
        #expect(beyond.peakHazard == 0)
        #expect(beyond.topIncidents.isEmpty)
    }

    @Test func thePeakWhereTwoDisksOverlapIsTheSumOfBothWeights() throws {
        let route = meridianRoute(from: 24.8, to: 25.5)
        // A 3 km east of km(25.0), B 2 km west of a point 12 km further north, C alone near the
        // north end: the chords of A and B overlap over 9.54 + 9.80 - 12 = 7.34 km.
        let footA = try along(from: 24.8, to: 25)
        let northOfA = try geodesic.direct(from: Coordinate(67, 25), azimuth: 0, distanceKm: 12).position
        let footB = footA + 12
        let a = try east(of: 25, km: 3)
        let b = try geodesic.direct(from: northOfA, azimuth: 270, distanceKm: 2).position
        let c = try east(of: 25.45, km: 1)
        let incidents = [incident("a", a.x, a.y, daysBefore: 400, killed: 1), incident("b", b.x, b.y, daysBefore: 30, injured: 8),
                         incident("c", c.x, c.y, killed: 4)]
        let (wa, wb, wc) = (amplitude(killed: 1, injured: 0, daysBefore: 400), amplitude(killed: 0, injured: 8, daysBefore: 30),
                            amplitude(killed: 4, injured: 0, daysBefore: 0))
        #expect(wa + wb > wc && wc > max(wa, wb), "the overlap, not C alone, must be the peak")
        let result = try score(route, incidents: incidents, model: model)
        let (halfA, halfB, halfC) = ((radius * radius - 9).squareRoot(), (radius * radius - 4).squareRoot(), (radius * radius - 1).squareRoot())
        #expect(footB + halfB < (try along(from: 24.8, to: 25.45)) - halfC, "C overlaps neither")
        #expect(relativeError(result.peakHazard, wa + wb) < 1e-12)
        #expect(abs(result.peakAtKm - (footB - halfB)) < 1e-4)
        #expect(abs(result.peakLocation.x - 67) < 1e-9)
        // C's chord runs past the route's north end.
        let chordC = (try along(from: 24.8, to: 25.5)) - ((try along(from: 24.8, to: 25.45)) - halfC)
        let contributions = ["a": wa * 2 * halfA, "b": wb * 2 * halfB, "c": wc * chordC]
        #expect(relativeError(result.incidentExposure, contributions.values.reduce(0, +)) < 1e-5)
        #expect(result.topIncidents.map(\.id) == contributions.keys.sorted { contributions[$0]! > contributions[$1]! })
        for top in result.topIncidents {
            #expect(relativeError(top.exposure, contributions[top.id]!) < 1e-5, "\(top.id)")
        }
    }

    @Test func aNarrowOverlapIsFoundExactly() throws {
        // Two disks on the route whose chords overlap by 50 m: far less than any sampling step a
        // smooth field would use (a quarter radius), found exactly by the sweep.
        let route = meridianRoute(from: 24.8, to: 25.2)
        let footA = try along(from: 24.8, to: 25)
        let north = try geodesic.direct(from: Coordinate(67, 25), azimuth: 0, distanceKm: 2 * radius - 0.05).position
        let incidents = [incident("a", 67, 25, killed: 1), incident("b", north.x, north.y, injured: 1)]
        let result = try score(route, incidents: incidents, model: model)
        let (wa, wb) = (amplitude(killed: 1, injured: 0, daysBefore: 0), amplitude(killed: 0, injured: 1, daysBefore: 0))
        #expect(relativeError(result.peakHazard, wa + wb) < 1e-12)
        #expect(abs(result.peakAtKm - (footA + radius - 0.05)) < 1e-4)
    }

    @Test func zonesScaleAndRaiseTheDiskField() throws {
        // The route's southern half lies in a zone with base 0.2 and multiplier 1.5; the disk is
        // centred on the boundary, so half its chord is scaled.
        let zone = Zone(id: "z", name: "Z", kind: "zone", base: 0.2, multiplier: 1.5, shape: rectangle(66.9, 24.7, 67.1, 25))
        let result = try score(meridianRoute(from: 24.8, to: 25.2), incidents: [incident("a", 67, 25, killed: 4)], zones: [zone],
                               model: model)
        let w = amplitude(killed: 4, injured: 0, daysBefore: 0)
        let south = try along(from: 24.8, to: 25)
        #expect(relativeError(result.incidentExposure, 1.5 * w * radius + w * radius) < 1e-5)
        #expect(relativeError(result.baseExposure, 1.5 * 0.2 * south) < 1e-9)
        #expect(relativeError(result.peakHazard, 1.5 * (0.2 + w)) < 1e-12)
        #expect(abs(result.peakAtKm - (south - radius)) < 1e-4)
    }

    @Test func theFastPathScoresTheDiskExactlyWithANote() async throws {
        let synth = SyntheticPakistan(seed: 3)
        let data = try ScoringData(incidents: synth.incidents(count: 300, end: epoch), zones: [], model: model)
        let routes = synth.routes(count: 6, minKm: 50, maxKm: 200)
        var notes: [String] = []
        let results = try await scoreRoutes(routes, asOf: epoch, data: data, path: .fast, jobs: 1) { notes.append($0) }
        #expect(notes == ["the disk kernel is scored on the exact path (the hazard grid is for the gaussian)"])
        let exact = try Scorer(data)
        for (route, result) in zip(routes, results) {
            #expect(try result.get() == exact.score(route, asOf: epoch))
        }
    }

    @Test func exactScoringAgreesWithFineGeodesicSampling() throws {
        // A winding route near Karachi through scattered incidents and a zone: the exact disk
        // against the route sampled every 20 m, with geodesic distances to every incident.
        var random = SeededGenerator(seed: 41)
        var waypoints = [Coordinate(66.95, 24.85)]
        var heading = 40.0
        for _ in 0..<8 {
            heading += random.uniform(-35, 35)
            waypoints.append(try geodesic.direct(from: waypoints.last!, azimuth: heading, distanceKm: random.uniform(10, 30)).position)
        }
        let box = Envelope(covering: waypoints)!.expanded(by: 0.15)
        let incidents = (0..<40).map { n in
            incident("i\(n)", random.uniform(box.minX, box.maxX), random.uniform(box.minY, box.maxY),
                     daysBefore: random.uniform(0, 1500), killed: Double(Int(random.uniform(0, 20))), category: n % 4 == 0 ? "ied" : nil)
        }
        let zoneBox = (west: box.minX, south: box.minY, east: box.center.x, north: box.maxY)
        let zone = Zone(id: "w", name: "West", kind: "zone", base: 0.1, multiplier: 1.7,
                        shape: rectangle(zoneBox.west, zoneBox.south, zoneBox.east, zoneBox.north))
        let result = try score(Route(id: "winding", shape: .lineString(waypoints)), incidents: incidents, zones: [zone], model: model)

        let live = incidents.compactMap { i -> (Coordinate, Double)? in
            let days = epoch.timeIntervalSince(i.time) / day
            let d = pow(0.5, days / 365)
            return d < 0.01 ? nil : (i.location, (1 + log(1 + i.killed)) * (i.category == nil ? 1 : 1.5) * d)
        }
        var (incidentExposure, peak) = (0.0, 0.0)
        for (start, end) in zip(waypoints, waypoints.dropFirst()) {
            let length = try geodesic.distanceKm(start, end)
            let steps = Int((length / 0.02).rounded(.up))
            let points = geodesic.intermediatePoints(from: start, to: end, count: 2 * steps)
            for step in 0..<steps {
                let x = points[2 * step + 1]
                // The zone's edges are a meridian and a parallel, so lon/lat tests locate it.
                let inZone = x.x >= zoneBox.west && x.x <= zoneBox.east && x.y >= zoneBox.south && x.y <= zoneBox.north
                let field = try live.reduce(0.0) { $0 + (try geodesic.distanceKm(x, $1.0) <= radius ? $1.1 : 0) }
                incidentExposure += (inZone ? 1.7 : 1) * field * length / Double(steps)
                peak = max(peak, (inZone ? 1.7 : 1) * ((inZone ? 0.1 : 0) + field))
            }
        }
        print("disk: incident exposure \(result.incidentExposure) vs \(incidentExposure), peak \(result.peakHazard) vs \(peak)")
        #expect(incidentExposure > 0)
        #expect(relativeError(result.incidentExposure, incidentExposure) < 0.005)
        #expect(relativeError(result.peakHazard, peak) < 0.005)
        #expect(result.peakHazard >= peak * (1 - 1e-9), "the sweep's peak is not below any sample")
    }
}

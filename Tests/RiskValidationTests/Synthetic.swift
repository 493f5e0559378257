import Foundation
import Geo
import RiskCore
import RiskSynth

/// Synthetic worlds whose intensity is known, written here independently of the code under test,
/// in a 300 km square of Punjab with local flat-earth km (good to a fraction of a percent over
/// it, far below the statistical noise these tests allow for).
enum World {
    static let origin = Coordinate(71.0, 30.5)
    static let sideKm = 300.0
    static let kmPerDegreeLat = 110.9
    static var kmPerDegreeLon: Double { 111.32 * cos((origin.y + 1.35) * .pi / 180) }

    static func lonLat(_ x: Double, _ y: Double) -> Coordinate {
        Coordinate(origin.x + x / kmPerDegreeLon, origin.y + y / kmPerDegreeLat)
    }

    static func km(_ c: Coordinate) -> (x: Double, y: Double) {
        ((c.x - origin.x) * kmPerDegreeLon, (c.y - origin.y) * kmPerDegreeLat)
    }

    static func date(_ year: Int) -> Date {
        var components = DateComponents()
        components.year = year
        components.month = 1
        components.day = 1
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!
    }

    static let start = date(2000)
    static let end = date(2016)

    /// `count` straight routes 40 to 120 km long inside the square, a vertex every 2 km.
    static func routes(count: Int, seed: UInt64) -> [Route] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { n in
            var a = (x: 0.0, y: 0.0), b = a
            repeat {
                a = (random.uniform(0, sideKm), random.uniform(0, sideKm))
                let length = random.uniform(40, 120), angle = random.uniform(0, 2 * .pi)
                b = (a.x + length * cos(angle), a.y + length * sin(angle))
            } while !(0...sideKm).contains(b.x) || !(0...sideKm).contains(b.y)
            let steps = Int((hypot(b.x - a.x, b.y - a.y) / 2).rounded(.up))
            let line = (0...steps).map { k in
                let t = Double(k) / Double(steps)
                return lonLat(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
            }
            return Route(id: "r\(n)", shape: .lineString(line))
        }
    }

    /// A static field: background plus Gaussian hotspots (x, y, amplitude, spread in km).
    static let hotspots: [(x: Double, y: Double, a: Double, s: Double)] = [
        (60, 70, 10, 12), (200, 90, 6, 20), (150, 220, 8, 10), (250, 250, 4, 15), (90, 200, 5, 25),
    ]
    static let background = 0.2

    static func staticIntensity(_ x: Double, _ y: Double) -> Double {
        hotspots.reduce(background) { $0 + $1.a * exp(-((x - $1.x) * (x - $1.x) + (y - $1.y) * (y - $1.y)) / (2 * $1.s * $1.s)) }
    }

    /// Incidents of the static field by thinning, uniform in time over 2000-2016.
    static func staticIncidents(count: Int, seed: UInt64) -> [Incident] {
        var random = SeededRandom(seed: seed)
        let top = hotspots.reduce(background) { $0 + $1.a }
        var out: [Incident] = []
        while out.count < count {
            let x = random.uniform(0, sideKm), y = random.uniform(0, sideKm)
            guard random.uniform(0, top) < staticIntensity(x, y) else { continue }
            let t = random.uniform(start.timeIntervalSince1970, end.timeIntervalSince1970)
            out.append(Incident(id: "s\(out.count)", location: lonLat(x, y), time: Date(timeIntervalSince1970: t)))
        }
        return out
    }

    /// The static field's mean along a route, sampled every 0.5 km.
    static func meanStaticIntensity(_ route: Route) -> Double {
        let points = route.shape.coordinates.map(km)
        var sum = 0.0, length = 0.0
        for (a, b) in zip(points, points.dropFirst()) {
            let d = hypot(b.x - a.x, b.y - a.y), n = max(1, Int((d / 0.5).rounded(.up)))
            for k in 0..<n {
                let t = (Double(k) + 0.5) / Double(n)
                sum += staticIntensity(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)) * d / Double(n)
            }
            length += d
        }
        return sum / length
    }

    /// A self-exciting (Hawkes) process: immigrants uniform in the square and in time at
    /// `immigrantsPerYear`; each incident has Poisson(`branching`) offspring, each displaced by a
    /// normal of `sigmaKm` per axis and delayed by an exponential whose half-life is
    /// `halfLifeDays`, so an incident's effect on the intensity is `0.5 ^ (age / half-life)`
    /// times a Gaussian of `sigmaKm`: the model's own form.
    static func hawkes(immigrantsPerYear: Double, branching: Double, sigmaKm: Double, halfLifeDays: Double,
                       seed: UInt64) -> [Incident] {
        var random = SeededRandom(seed: seed)
        func poisson(_ mean: Double) -> Int {
            var k = 0, p = exp(-mean), s = p
            let u = random.uniform(0, 1)
            while u > s { k += 1; p *= mean / Double(k); s += p }
            return k
        }
        let t0 = start.timeIntervalSince1970, t1 = end.timeIntervalSince1970
        let years = (t1 - t0) / (365.25 * 86_400)
        var queue: [(x: Double, y: Double, t: Double)] = (0..<poisson(immigrantsPerYear * years)).map { _ in
            (random.uniform(0, sideKm), random.uniform(0, sideKm), random.uniform(t0, t1))
        }
        var events: [(x: Double, y: Double, t: Double)] = []
        while let e = queue.popLast() {
            events.append(e)
            for _ in 0..<poisson(branching) {
                let delayDays = -log(max(random.uniform(0, 1), 1e-300)) * halfLifeDays / log(2)
                let t = e.t + delayDays * 86_400
                guard t < t1 else { continue }
                queue.append((e.x + sigmaKm * random.normal(), e.y + sigmaKm * random.normal(), t))
            }
        }
        return events.sorted { $0.t < $1.t }.enumerated().map { n, e in
            Incident(id: "h\(n)", location: lonLat(e.x, e.y), time: Date(timeIntervalSince1970: e.t))
        }
    }
}

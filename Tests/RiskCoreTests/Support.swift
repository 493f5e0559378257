import Foundation
import Geo
import RiskSynth
@testable import RiskCore

/// The synthetic generator's seeded random numbers, so random tests are reproducible.
typealias SeededGenerator = SeededRandom

let day: TimeInterval = 86_400
let epoch = Date(timeIntervalSince1970: 1_700_000_000)

func incident(_ id: String, _ lon: Double, _ lat: Double, daysBefore: Double = 0, killed: Double = 0, injured: Double = 0,
              category: String? = nil, target: String? = nil) -> Incident {
    Incident(id: id, location: Coordinate(lon, lat), time: epoch.addingTimeInterval(-daysBefore * day),
             killed: killed, injured: injured, category: category, target: target)
}

func rectangle(_ west: Double, _ south: Double, _ east: Double, _ north: Double) -> Shape {
    .polygon([[Coordinate(west, south), Coordinate(east, south), Coordinate(east, north), Coordinate(west, north), Coordinate(west, south)]])
}

func meridianRoute(_ id: String = "r", lon: Double = 67, from south: Double, to north: Double) -> Route {
    Route(id: id, shape: .lineString([Coordinate(lon, south), Coordinate(lon, north)]))
}

func score(_ route: Route, incidents: [Incident] = [], zones: [Zone] = [], model: Model = Model(),
           at time: Date = epoch) throws -> RouteResult {
    let scorer = try Scorer(ScoringData(incidents: incidents, zones: zones, model: model))
    return try scorer.score(route, asOf: time)
}

/// `integral of exp(-s^2 / 2 sigma^2) ds` over `a...b`, the Gaussian's closed form.
func gaussianMass(_ a: Double, _ b: Double, sigma: Double) -> Double {
    sigma * (Double.pi / 2).squareRoot() * (erf(b / (sigma * 2.0.squareRoot())) - erf(a / (sigma * 2.0.squareRoot())))
}

func relativeError(_ value: Double, _ reference: Double) -> Double {
    reference == 0 ? abs(value) : abs(value - reference) / abs(reference)
}

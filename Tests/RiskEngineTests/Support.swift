import Foundation
@_exported import TestSupport  // for every file of this target: the scratch folders, Vincenty, the process runner
import Geo
import RiskCore

/// 2025-06-01T00:00:00Z.
let asOf = Date(timeIntervalSince1970: 1_748_736_000)

/// The length in km of the meridian arc from the equator to latitude `degrees` on WGS84, by
/// Helmert's series in the third flattening n (the terms left out are of order n^5, about 1e-13
/// relative). A geodesic between two points on one meridian runs along it, so this is the
/// route length of such a line, found without the production geodesic code.
func meridianArcKm(_ degrees: Double) -> Double {
    let a = 6_378_137.0, f = 1 / 298.257223563
    let n = f / (2 - f)
    let phi = degrees * .pi / 180
    let n2 = n * n, n3 = n2 * n, n4 = n2 * n2
    let metres = a / (1 + n) * ((1 + n2 / 4 + n4 / 64) * phi
        - 1.5 * (n - n3 / 8) * sin(2 * phi)
        + 15.0 / 16 * (n2 - n4 / 4) * sin(4 * phi)
        - 35.0 / 48 * n3 * sin(6 * phi)
        + 315.0 / 512 * n4 * sin(8 * phi))
    return metres / 1000
}

/// The latitude north of `south` whose meridian arc from `south` is `km`, by bisection on
/// `meridianArcKm` (to far below a millimetre).
func latitude(north south: Double, byKm km: Double) -> Double {
    var low = south, high = south + km / 100  // a degree of latitude is more than 100 km
    for _ in 0..<100 {
        let middle = (low + high) / 2
        if meridianArcKm(middle) - meridianArcKm(south) < km { low = middle } else { high = middle }
    }
    return (low + high) / 2
}

func meridianRoute(_ id: String, lon: Double = 67, from south: Double, to north: Double) -> Route {
    Route(id: id, shape: .lineString([Coordinate(lon, south), Coordinate(lon, north)]))
}

func rectangle(_ west: Double, _ south: Double, _ east: Double, _ north: Double) -> Shape {
    .polygon([[Coordinate(west, south), Coordinate(east, south), Coordinate(east, north), Coordinate(west, north),
               Coordinate(west, south)]])
}

func relativeError(_ value: Double, _ reference: Double) -> Double {
    abs(value - reference) / abs(reference)
}


import Foundation
import Geo
import RiskCore

let asOf = Date(timeIntervalSince1970: 1_748_736_000)  // 2025-06-01T00:00:00Z
let hour: TimeInterval = 3_600
let day: TimeInterval = 86_400

/// A route due north along a meridian.
func meridian(_ id: String, lon: Double = 67, from south: Double = 24, to north: Double = 26) -> Route {
    Route(id: id, shape: .lineString([Coordinate(lon, south), Coordinate(lon, north)]))
}

func incident(_ id: String, _ lon: Double, _ lat: Double, at time: Date, killed: Double = 5) -> Incident {
    Incident(id: id, location: Coordinate(lon, lat), time: time, killed: killed)
}

func rectangle(_ west: Double, _ south: Double, _ east: Double, _ north: Double) -> Shape {
    .polygon([[Coordinate(west, south), Coordinate(east, south), Coordinate(east, north), Coordinate(west, north), Coordinate(west, south)]])
}

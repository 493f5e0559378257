import Foundation
import Geo
import RiskCore

/// The fixed geometry of a backtest, shared by every cut: one working CRS fitted to the routes,
/// incidents and zones; the routes densified to 1 km geodesic steps and projected; which
/// incidents lie within the radius of each route; which province each incident falls in.
///
/// Distances between incidents and routes are planar in the working CRS, which keeps every
/// distance up to 100 km within 0.5 % of the geodesic one (see `WorkingCRS`); the 1 km steps keep
/// the projected chords within metres of the geodesic segments.
struct Study {
    let crs: WorkingCRS
    let extent: Envelope
    let routes: [Route]
    let incidents: [Incident]
    let lengthsKm: [Double]
    /// Incident positions in the working CRS (km).
    let positions: [Coordinate]
    /// For each route, the incidents (indices) within `radiusKm` of it.
    let near: [[Int]]
    /// The zones of kind `province`, their areas (km^2), and each incident's province (index
    /// into `provinces`) or nil outside them all.
    let provinces: [Zone]
    let provinceAreasKm2: [Double]
    let incidentProvince: [Int?]
    /// Provinces in the working CRS, for the area cells.
    let projectedProvinces: [Shape]

    init(routes: [Route], incidents: [Incident], zones: [Zone], radiusKm: Double) throws {
        self.routes = routes
        self.incidents = incidents
        let everything = routes.flatMap(\.shape.coordinates) + incidents.map(\.location)
            + zones.flatMap(\.shape.coordinates)
        guard let extent = Envelope(covering: everything) else { throw BacktestError.nothing("no routes or incidents") }
        self.extent = extent
        crs = try WorkingCRS(fitting: extent)
        let transformer = try crs.transformer()
        let geodesic = Geodesic.wgs84
        lengthsKm = try routes.map { try geodesic.lengthKm(of: $0.shape) }
        let positions = try transformer.transformed(incidents.map(\.location))
        self.positions = positions
        let index = EnvelopeIndex(positions.enumerated().map { i, p in (Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y), i) })
        var near: [[Int]] = []
        for route in routes {
            guard let parts = route.shape.lineParts else { throw BacktestError.notALine(route.id) }
            let projected = try parts.map { try transformer.transformed(try geodesic.densify($0, maxSegmentKm: 1)) }
            guard let box = Envelope(covering: projected.joined()) else { throw BacktestError.notALine(route.id) }
            var found: [Int] = []
            index.query(box.expanded(by: radiusKm)) { i in
                if projected.contains(where: { Study.distance(positions[i], polyline: $0) <= radiusKm }) { found.append(i) }
            }
            near.append(found.sorted())
        }
        self.near = near

        provinces = zones.filter { Model.key($0.kind) == "province" }
        provinceAreasKm2 = try provinces.map { try geodesic.areaKm2(of: $0.shape) }
        projectedProvinces = try provinces.map { try transformer.transform($0.shape) }
        let context = try GeometryContext()
        let prepared = try provinces.map { try Geometry($0.shape, in: context).prepared() }
        incidentProvince = try incidents.map { incident in
            try prepared.firstIndex { try $0.covers(incident.location) }
        }
    }

    /// Planar distance from `p` to a polyline (km in the working CRS).
    static func distance(_ p: Coordinate, polyline: [Coordinate]) -> Double {
        guard let first = polyline.first else { return .infinity }
        var best = hypot(p.x - first.x, p.y - first.y)
        for (a, b) in zip(polyline, polyline.dropFirst()) {
            let dx = b.x - a.x, dy = b.y - a.y
            let lengthSquared = dx * dx + dy * dy
            let t = lengthSquared > 0 ? min(1, max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared)) : 0
            best = min(best, hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)))
        }
        return best
    }

    /// Indices of the incidents in `[from, to)`.
    func incidents(from: Date, to: Date) -> [Int] {
        incidents.indices.filter { incidents[$0].time >= from && incidents[$0].time < to }
    }

    /// Indices of the incidents before `cut`: all a model may know at the cut.
    func incidents(before cut: Date) -> [Int] {
        incidents.indices.filter { incidents[$0].time < cut }
    }
}

public enum BacktestError: Error, Equatable, CustomStringConvertible {
    case nothing(String)
    case notALine(String)
    case duplicateIncident(String)
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .nothing(let what): "nothing to validate: \(what)"
        case .notALine(let id): "route \(id): geometry must be a LineString or MultiLineString"
        case .duplicateIncident(let id): "incident id \(id) occurs more than once; the calibration needs unique ids"
        case .invalid(let field, let reason): "\(field) \(reason)"
        }
    }
}

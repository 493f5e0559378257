import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskBatch

extension MapScene {
    /// One ranked route or movement, with the full geometry it was scored on.
    public struct Scored: Sendable {
        public var rank: Int
        public var movementID: String?
        public var result: RouteResult
        public var shape: Shape
        public var escalation: Escalation?

        public init(rank: Int, movementID: String? = nil, result: RouteResult, shape: Shape, escalation: Escalation? = nil) {
            self.rank = rank
            self.movementID = movementID
            self.result = result
            self.shape = shape
            self.escalation = escalation
        }
    }

    /// Nodes along the heat raster's longer side. A few kilometres apart over a province, which
    /// resolves a 10 km Gaussian; 320 x 320 bytes stay near 140 kB in the page.
    public static let heatNodes = 320

    /// Lines and outlines are simplified to this fraction of the map's larger side: the first
    /// view is about 1,000 pixels across, so a line stays within half a pixel of its data there
    /// and within 4 pixels at 8 times the zoom.
    public static let displayTolerance = 1.0 / 2_000

    /// Makes the scene of `scored` (ranked) over the zones and incidents of `data`, at `mapTime`.
    ///
    /// The map covers the routes widened by the model's cutoff (every incident that reaches a
    /// route is on it); incidents outside it are left out unless a route names them among its
    /// leading ones. The heat layer is the exact hazard `h(mapTime)` of `ScoringData.hazard` on a
    /// raster of `heatNodes` along the longer side: the fast path's `HazardGrid` holds only the
    /// incident field, at a sixteenth of sigma over the whole extent (far more nodes than a page
    /// can show), while a display raster of the exact field is exact at its nodes and cheap.
    public static func build(kind: Kind, title: String, mapTime: Date, scored: [Scored], data: ScoringData,
                             rankedBy: RankKey = .exposure, run: RunSummary? = nil, warnings: [String] = [],
                             heatNodes: Int = MapScene.heatNodes) throws -> MapScene {
        let model = data.model
        let routeExtent = Envelope(covering: scored.flatMap { $0.shape.coordinates })
        let zoneExtent = Envelope(covering: data.zones.flatMap { $0.shape.envelope.map { [Coordinate($0.minX, $0.minY), Coordinate($0.maxX, $0.maxY)] } ?? [] })
        let extent = (routeExtent?.widened(byKm: model.cutoffKm) ?? zoneExtent ?? WorkingCRS.pakistanExtent).clampedToWorld
        let tolerance = max(extent.width, extent.height) * displayTolerance
        let context = try GeometryContext()
        let geodesic = Geodesic.wgs84

        // Lines: one per distinct geometry, simplified once.
        var lineIndex: [Shape: Int] = [:]
        var lines: [[[Coordinate]]] = []
        var items: [Item] = []
        for entry in scored {
            guard let parts = entry.shape.lineParts else {
                throw ScoringError.notALine(routeID: entry.result.id, type: entry.shape.typeName)
            }
            let line: Int
            if let known = lineIndex[entry.shape] {
                line = known
            } else {
                let simple = try Geometry(entry.shape, in: context).simplifiedPreservingTopology(tolerance: tolerance).shape()
                line = lines.count
                lines.append(simple.lineParts ?? parts)
                lineIndex[entry.shape] = line
            }
            let closest = try entry.result.topIncidents.map { try geodesic.position(along: parts, atKm: $0.atKm) }
            items.append(Item(rank: entry.rank, movementID: entry.movementID, result: entry.result, line: line,
                              closestPoints: closest, escalation: entry.escalation))
        }

        // Zones on the map, simplified, each with a label point inside it.
        var zones: [ZoneArea] = []
        var prepared: [(zone: Zone, geometry: PreparedGeometry, area: Double)] = []
        for zone in data.zones {
            guard let envelope = zone.shape.envelope, envelope.intersects(extent) else { continue }
            let geometry = try Geometry(zone.shape, in: context)
            var display = zone
            display.shape = try geometry.simplifiedPreservingTopology(tolerance: tolerance).shape()
            guard case .point(let label) = try geometry.pointOnSurface().shape() else { continue }
            zones.append(ZoneArea(zone: display, label: label))
            prepared.append((zone, try geometry.prepared(), try geometry.area()))
        }
        prepared.sort { $0.area < $1.area }

        // Incidents in view that count at the map time, and every leading incident of a route.
        let named = Set(items.flatMap { $0.result.topIncidents.map(\.id) })
        var incidents: [MapIncident] = []
        for incident in data.incidents {
            let decay = model.decay(of: incident.time, at: mapTime)
            guard named.contains(incident.id) || (decay != nil && extent.contains(incident.location)) else { continue }
            let place = try prepared.filter { try $0.geometry.covers(incident.location) }.map(\.zone.name).joined(separator: ", ")
            incidents.append(MapIncident(incident: incident, weight: model.weight(incident), decay: decay, place: place))
        }

        let heat = try heatRaster(over: extent, nodes: heatNodes, data: data, time: mapTime)
        return MapScene(kind: kind, title: title, mapTime: mapTime, model: model, rankedBy: rankedBy, lines: lines, items: items,
                        zones: zones, incidents: incidents, heat: heat, run: run, warnings: warnings)
    }

    /// The exact hazard on nodes regular in longitude and Mercator y, `nodes` along the longer
    /// side (in Mercator units, where the map draws it square).
    static func heatRaster(over extent: Envelope, nodes: Int, data: ScoringData, time: Date) throws -> HeatRaster? {
        guard nodes >= 2, extent.width > 0, extent.height > 0 else { return nil }
        let width = extent.width * Double.pi / 180, height = mercatorY(extent.maxY) - mercatorY(extent.minY)
        let step = max(width, height) / Double(nodes - 1)
        let columns = max(2, Int((width / step).rounded()) + 1), rows = max(2, Int((height / step).rounded()) + 1)
        var raster = HeatRaster(west: extent.minX, east: extent.maxX, south: extent.minY, north: extent.maxY,
                                columns: columns, rows: rows, values: [])
        var points: [Coordinate] = []
        points.reserveCapacity(columns * rows)
        for j in 0..<rows {
            let lat = raster.latitude(j)
            for i in 0..<columns { points.append(Coordinate(raster.longitude(i), lat)) }
        }
        raster.values = try data.hazard(at: points, time: time)
        return raster
    }
}

extension Envelope {
    /// Kept within longitude -180...180 and latitude -85...85 (where Web Mercator is finite).
    var clampedToWorld: Envelope {
        Envelope(minX: max(-180, minX), minY: max(-85, minY), maxX: min(180, maxX), maxY: min(85, maxY))
    }
}

extension MapScene {
    /// A route of the outcome whose geometry is not among its shapes.
    public struct MissingShape: Error, CustomStringConvertible {
        public var routeID: String
        public var description: String { "route \(routeID): no geometry to draw it with" }
    }

    /// The page of a `score` run: its ranked routes over the inputs' zones and incidents, at the
    /// run's `as_of`.
    public static func score(_ outcome: ScoreOutcome, inputs: ScoringInputs, title: String = "Route risk") throws -> MapScene {
        let data = try ScoringData(incidents: inputs.incidents, zones: inputs.zones, model: outcome.model)
        let scored = try outcome.ranked.map { rank, result in
            guard let shape = outcome.shapes[result.id] else { throw MissingShape(routeID: result.id) }
            return Scored(rank: rank, result: result, shape: shape)
        }
        return try build(kind: .score, title: title, mapTime: outcome.asOf, scored: scored, data: data, rankedBy: outcome.rankedBy,
                         warnings: outcome.warnings.map(\.description))
    }
}

extension MapScene {
    /// The page of a batch run: every movement it scored (ranked by exposure, as the store lists
    /// them), their routes over the store's zones and incidents at the run's `as_of`, the counts
    /// by band, and the escalations with their driving incidents when known (`batch` knows them;
    /// `store scores` passes nil and the page leaves them out).
    public static func batch(run: RunRecord, scores: [MovementScore], escalations: [RiskBatch.Escalation]?, failed: [MovementFailure],
                             routes: [String: Route], zones: [Zone], incidents: [Incident], model: Model,
                             title: String = "Batch run") throws -> MapScene {
        let data = try ScoringData(incidents: incidents, zones: zones, model: model)
        let escalated = Dictionary((escalations ?? []).map { ($0.movementID, $0) }, uniquingKeysWith: { first, _ in first })
        let scored = try scores.enumerated().map { index, score in
            guard let route = routes[score.routeID] else { throw MissingShape(routeID: score.routeID) }
            let escalation = escalated[score.movementID].map {
                Escalation(oldBand: $0.oldBand, oldScore: $0.oldScore, driver: $0.driver?.id)
            }
            return Scored(rank: index + 1, movementID: score.movementID, result: score.result, shape: route.shape, escalation: escalation)
        }
        var bands: [Band: Int] = [:]
        for score in scores { bands[score.result.band, default: 0] += 1 }
        let summary = RunSummary(id: run.id, asOf: run.asOf, window: run.window.description, selected: run.counters.selected,
                                 scored: run.counters.scored, failed: failed.map { ($0.movementID, $0.reason) }, bands: bands,
                                 escalationsKnown: escalations != nil)
        return try build(kind: .batch, title: title, mapTime: run.asOf, scored: scored, data: data, run: summary)
    }
}

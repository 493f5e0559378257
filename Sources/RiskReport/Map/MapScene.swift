import Foundation
import Geo
import RiskCore

/// Everything the HTML map report shows, as plain values: what `MapPage.html` renders. `build`
/// makes one from scoring results and the scoring data; tests may make one by hand.
public struct MapScene: Sendable {
    public enum Kind: String, Sendable {
        /// `routerisk score`: routes ranked by risk.
        case score
        /// `routerisk batch` and `store scores`: movements of a run, with the run's summary.
        case batch
    }

    /// One ranked row of the table and one line on the map.
    public struct Item: Sendable {
        public var rank: Int
        /// The movement's id on a batch page; nil for a route of `score`.
        public var movementID: String?
        public var result: RouteResult
        /// Index into `lines`: movements along the same route share its line.
        public var line: Int
        /// Where each leading incident comes closest, in `result.topIncidents` order: the point
        /// at its `atKm` mark along the route's full geometry.
        public var closestPoints: [Coordinate]
        public var escalation: Escalation?

        public init(rank: Int, movementID: String? = nil, result: RouteResult, line: Int, closestPoints: [Coordinate],
                    escalation: Escalation? = nil) {
            self.rank = rank
            self.movementID = movementID
            self.result = result
            self.line = line
            self.closestPoints = closestPoints
            self.escalation = escalation
        }
    }

    /// A band rising between two runs, with the new incident that drives it.
    public struct Escalation: Sendable, Equatable {
        public var oldBand: Band
        public var oldScore: Double
        /// The driving incident's id (one of the item's leading incidents), if any.
        public var driver: String?

        public init(oldBand: Band, oldScore: Double, driver: String?) {
            self.oldBand = oldBand
            self.oldScore = oldScore
            self.driver = driver
        }
    }

    public struct ZoneArea: Sendable {
        public var zone: Zone
        /// Where the name goes: a point inside the shape.
        public var label: Coordinate

        public init(zone: Zone, label: Coordinate) {
            self.zone = zone
            self.label = label
        }
    }

    /// An incident as the map draws it at `mapTime`.
    public struct MapIncident: Sendable {
        public var incident: Incident
        /// `w = S C G` of the model.
        public var weight: Double
        /// `D(mapTime)`, or nil when the incident does not count then (later, or faded below
        /// `min_decay`); such an incident is on the map only because a route's evaluation counts it.
        public var decay: Double?
        /// Names of the zones that cover it, smallest first: where it happened.
        public var place: String

        public init(incident: Incident, weight: Double, decay: Double?, place: String) {
            self.incident = incident
            self.weight = weight
            self.decay = decay
            self.place = place
        }
    }

    /// The hazard `h(mapTime)` on nodes regular in longitude and in Web Mercator y (so the raster
    /// lies square on the page's Mercator map), row by row from the north.
    public struct HeatRaster: Sendable, Equatable {
        public var west: Double
        public var east: Double
        public var south: Double
        public var north: Double
        public var columns: Int
        public var rows: Int
        public var values: [Double]

        public init(west: Double, east: Double, south: Double, north: Double, columns: Int, rows: Int, values: [Double]) {
            self.west = west
            self.east = east
            self.south = south
            self.north = north
            self.columns = columns
            self.rows = rows
            self.values = values
        }

        /// Longitude of node column `i`.
        public func longitude(_ i: Int) -> Double {
            west + (east - west) * Double(i) / Double(max(1, columns - 1))
        }

        /// Latitude of node row `j` (row 0 is the north edge): equal steps of Mercator y.
        public func latitude(_ j: Int) -> Double {
            let top = mercatorY(north), bottom = mercatorY(south)
            return RiskReport.latitude(mercatorY: top + (bottom - top) * Double(j) / Double(max(1, rows - 1)))
        }
    }

    /// What a batch page adds: the run and its movements by band.
    public struct RunSummary: Sendable {
        public var id: Int
        public var asOf: Date
        public var window: String
        public var selected: Int
        public var scored: Int
        public var failed: [(movementID: String, reason: String)]
        public var bands: [Band: Int]
        /// False when the escalations of the run are not known (a run listed from the store).
        public var escalationsKnown: Bool

        public init(id: Int, asOf: Date, window: String, selected: Int, scored: Int, failed: [(movementID: String, reason: String)],
                    bands: [Band: Int], escalationsKnown: Bool = true) {
            self.escalationsKnown = escalationsKnown
            self.id = id
            self.asOf = asOf
            self.window = window
            self.selected = selected
            self.scored = scored
            self.failed = failed
            self.bands = bands
        }
    }

    public var kind: Kind
    public var title: String
    /// When incidents are weighed and the heat layer computed: the run's `as_of`. Each route's
    /// own figures are at its own evaluation time.
    public var mapTime: Date
    public var model: Model
    public var rankedBy: RankKey
    /// Display geometry of the routes (simplified), by index from `Item.line`.
    public var lines: [[[Coordinate]]]
    public var items: [Item]
    /// Display geometry of the zones (simplified).
    public var zones: [ZoneArea]
    public var incidents: [MapIncident]
    public var heat: HeatRaster?
    public var run: RunSummary?
    public var warnings: [String]

    public init(kind: Kind, title: String, mapTime: Date, model: Model, rankedBy: RankKey = .exposure, lines: [[[Coordinate]]],
                items: [Item], zones: [ZoneArea], incidents: [MapIncident], heat: HeatRaster?, run: RunSummary? = nil,
                warnings: [String] = []) {
        self.kind = kind
        self.title = title
        self.mapTime = mapTime
        self.model = model
        self.rankedBy = rankedBy
        self.lines = lines
        self.items = items
        self.zones = zones
        self.incidents = incidents
        self.heat = heat
        self.run = run
        self.warnings = warnings
    }
}

/// Spherical Web Mercator y (radians) of a latitude in degrees, as the page projects.
func mercatorY(_ latitude: Double) -> Double {
    log(tan(Double.pi / 4 + latitude * Double.pi / 360))
}

func latitude(mercatorY y: Double) -> Double {
    (2 * atan(exp(y)) - Double.pi / 2) * 180 / Double.pi
}

import Foundation
import Geo

/// A past security incident at a point.
public struct Incident: Sendable, Hashable {
    public var id: String
    /// WGS84 longitude/latitude.
    public var location: Coordinate
    /// When it happened (UTC; a date alone means 00:00 UTC).
    public var time: Date
    public var killed: Double
    public var injured: Double
    public var category: String?
    public var target: String?
    public var description: String?
    public var source: String?

    public init(id: String, location: Coordinate, time: Date, killed: Double = 0, injured: Double = 0,
                category: String? = nil, target: String? = nil, description: String? = nil, source: String? = nil) {
        self.id = id
        self.location = location
        self.time = time
        self.killed = killed
        self.injured = injured
        self.category = category
        self.target = target
        self.description = description
        self.source = source
    }
}

/// A province, district or special zone that scales or raises the hazard inside it.
public struct Zone: Sendable, Hashable {
    public var id: String
    public var name: String
    public var kind: String
    /// Background hazard per km inside the zone (the largest of overlapping zones applies).
    public var base: Double
    /// Factor on the hazard inside the zone (overlapping zones multiply).
    public var multiplier: Double
    /// A valid Polygon or MultiPolygon in WGS84.
    public var shape: Shape

    public init(id: String, name: String, kind: String, base: Double = 0, multiplier: Double = 1, shape: Shape) {
        self.id = id
        self.name = name
        self.kind = kind
        self.base = base
        self.multiplier = multiplier
        self.shape = shape
    }
}

/// A proposed route: a LineString or MultiLineString in WGS84, whose parts are travelled in order.
public struct Route: Sendable, Hashable {
    public var id: String
    public var name: String?
    public var departsAt: Date?
    public var shape: Shape

    public init(id: String, name: String? = nil, departsAt: Date? = nil, shape: Shape) {
        self.id = id
        self.name = name
        self.departsAt = departsAt
        self.shape = shape
    }
}

/// A scheduled movement: a trip along a route at a departure time.
public struct Movement: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case scheduled, cancelled, done
    }

    public var id: String
    public var routeID: String
    public var departsAt: Date
    public var status: Status
    /// Free labels such as the unit or convoy, kept as written.
    public var labels: String

    public init(id: String, routeID: String, departsAt: Date, status: Status = .scheduled, labels: String = "") {
        self.id = id
        self.routeID = routeID
        self.departsAt = departsAt
        self.status = status
        self.labels = labels
    }
}

public enum Band: String, Sendable, CaseIterable, Comparable {
    case low = "LOW"
    case moderate = "MODERATE"
    case high = "HIGH"
    case extreme = "EXTREME"

    public static func < (a: Band, b: Band) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The scoring model of `scoring-model.md`; every field has the spec's default.
public struct Model: Sendable, Equatable {
    /// `K(d)`: the spec's Gaussian by default (see `Kernel`).
    public var kernel: Kernel = .gaussian()
    public var halfLifeDays: Double = 365
    public var minDecay: Double = 0.01
    public var killedWeight: Double = 1
    public var injuredWeight: Double = 0.5
    /// Keys are lower-cased and trimmed, as incident categories are when looked up.
    public var categoryWeights: [String: Double] = [:]
    public var targetWeights: [String: Double] = [:]
    /// Other vocabularies' labels -> a key of `categoryWeights` (an extension of the spec's model
    /// file, see docs/model.md): ACLED's `Suicide bomb` is the model's `suicide bombing`. Keys and
    /// values are normalised with `Model.key`.
    public var categoryAliases: [String: String] = [:]
    /// Other vocabularies' labels -> a key of `targetWeights` (`civilians (china)` -> `foreign nationals`).
    public var targetAliases: [String: String] = [:]
    public var scoreScale: Double = 100
    public var moderateFrom: Double = 25
    public var highFrom: Double = 50
    public var extremeFrom: Double = 75

    public init() {}

    /// The normal form of a category or target for lookups: trimmed and lower-cased.
    public static func key(_ label: String) -> String {
        label.trimmingBlanks().lowercased()
    }

    /// `S = 1 + ln(1 + a killed + b injured)`.
    public func severity(_ incident: Incident) -> Double {
        1 + log(1 + killedWeight * incident.killed + injuredWeight * incident.injured)
    }

    /// The model's key for an incident's category: its normal form, through `categoryAliases`.
    public func categoryKey(_ label: String) -> String {
        let key = Model.key(label)
        return categoryAliases[key] ?? key
    }

    /// The model's key for an incident's target: its normal form, through `targetAliases`.
    public func targetKey(_ label: String) -> String {
        let key = Model.key(label)
        return targetAliases[key] ?? key
    }

    /// `w = S * C(category) * G(target)`; a missing key weighs 1 (the spec's rule: the lookup
    /// tables carry no fallback value, so a key absent after aliasing is 1).
    public func weight(_ incident: Incident) -> Double {
        let c = incident.category.flatMap { categoryWeights[categoryKey($0)] } ?? 1
        let g = incident.target.flatMap { targetWeights[targetKey($0)] } ?? 1
        return severity(incident) * c * g
    }

    /// `100 (1 - exp(-E / E0))`.
    public func score(exposure: Double) -> Double {
        100 * (1 - exp(-exposure / scoreScale))
    }

    public func band(score: Double) -> Band {
        if score >= extremeFrom { return .extreme }
        if score >= highFrom { return .high }
        if score >= moderateFrom { return .moderate }
        return .low
    }
}

/// A route's kilometres inside one zone.
public struct ZoneLength: Sendable, Equatable {
    public var id: String
    public var name: String
    public var km: Double

    public init(id: String, name: String, km: Double) {
        self.id = id
        self.name = name
        self.km = km
    }
}

/// One incident's part in a route's incident exposure.
public struct IncidentContribution: Sendable, Equatable {
    public var id: String
    /// `integral of M w D K ds` for this incident.
    public var exposure: Double
    /// Fraction of the route's incident exposure.
    public var share: Double
    public var closestKm: Double
    /// Km mark along the route where the closest approach happens.
    public var atKm: Double

    public init(id: String, exposure: Double, share: Double, closestKm: Double, atKm: Double) {
        self.id = id
        self.exposure = exposure
        self.share = share
        self.closestKm = closestKm
        self.atKm = atKm
    }
}

/// Everything the spec reports for one route.
public struct RouteResult: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var evaluatedAt: Date
    public var lengthKm: Double
    public var exposure: Double
    public var baseExposure: Double
    public var incidentExposure: Double
    public var meanHazard: Double
    public var peakHazard: Double
    public var peakAtKm: Double
    public var peakLocation: Coordinate
    public var score: Double
    public var band: Band
    public var zones: [ZoneLength]
    public var topIncidents: [IncidentContribution]

    public init(id: String, name: String?, evaluatedAt: Date, lengthKm: Double, exposure: Double, baseExposure: Double,
                incidentExposure: Double, meanHazard: Double, peakHazard: Double, peakAtKm: Double,
                peakLocation: Coordinate, score: Double, band: Band, zones: [ZoneLength], topIncidents: [IncidentContribution]) {
        self.id = id
        self.name = name
        self.evaluatedAt = evaluatedAt
        self.lengthKm = lengthKm
        self.exposure = exposure
        self.baseExposure = baseExposure
        self.incidentExposure = incidentExposure
        self.meanHazard = meanHazard
        self.peakHazard = peakHazard
        self.peakAtKm = peakAtKm
        self.peakLocation = peakLocation
        self.score = score
        self.band = band
        self.zones = zones
        self.topIncidents = topIncidents
    }
}

/// What routes are ranked by, highest first.
public enum RankKey: String, Sendable, CaseIterable {
    case exposure
    case meanHazard = "mean_hazard"
    case peakHazard = "peak_hazard"

    public func value(_ result: RouteResult) -> Double {
        switch self {
        case .exposure: result.exposure
        case .meanHazard: result.meanHazard
        case .peakHazard: result.peakHazard
        }
    }
}

/// Results ranked highest first; ties keep their input order.
public func rank(_ results: [RouteResult], by key: RankKey = .exposure) -> [(rank: Int, result: RouteResult)] {
    results.enumerated()
        .sorted { a, b in
            let (va, vb) = (key.value(a.element), key.value(b.element))
            return va != vb ? va > vb : a.offset < b.offset
        }
        .enumerated()
        .map { ($0 + 1, $1.element) }
}

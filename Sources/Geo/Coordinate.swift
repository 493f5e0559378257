import Foundation

/// A planar or geographic position. For geographic data `x` is longitude and `y` latitude,
/// in degrees (the GeoJSON and PROJ "visualization" order); for projected data both are in
/// the CRS's units.
public struct Coordinate: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    public var description: String { "(\(x), \(y))" }

    /// Throws unless this is a valid WGS84 longitude/latitude pair.
    public func validateGeographic(index: Int = 0) throws {
        guard x.isFinite, y.isFinite else {
            throw GeoError.coordinateOutOfRange(index: index, x: x, y: y, reason: "not a finite number")
        }
        guard (-180...180).contains(x) else {
            throw GeoError.coordinateOutOfRange(index: index, x: x, y: y, reason: "longitude must be within -180...180")
        }
        guard (-90...90).contains(y) else {
            throw GeoError.coordinateOutOfRange(index: index, x: x, y: y, reason: "latitude must be within -90...90")
        }
    }
}

/// An axis-aligned bounding box.
public struct Envelope: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// The smallest envelope holding every coordinate; nil for none.
    public init?<S: Sequence>(covering coordinates: S) where S.Element == Coordinate {
        var iterator = coordinates.makeIterator()
        guard let first = iterator.next() else { return nil }
        self.init(minX: first.x, minY: first.y, maxX: first.x, maxY: first.y)
        while let c = iterator.next() { expand(toInclude: c) }
    }

    public var width: Double { maxX - minX }
    public var height: Double { maxY - minY }
    public var center: Coordinate { Coordinate((minX + maxX) / 2, (minY + maxY) / 2) }

    public mutating func expand(toInclude c: Coordinate) {
        minX = Swift.min(minX, c.x)
        minY = Swift.min(minY, c.y)
        maxX = Swift.max(maxX, c.x)
        maxY = Swift.max(maxY, c.y)
    }

    public func union(_ other: Envelope) -> Envelope {
        Envelope(minX: Swift.min(minX, other.minX), minY: Swift.min(minY, other.minY),
                 maxX: Swift.max(maxX, other.maxX), maxY: Swift.max(maxY, other.maxY))
    }

    public func expanded(by distance: Double) -> Envelope {
        Envelope(minX: minX - distance, minY: minY - distance, maxX: maxX + distance, maxY: maxY + distance)
    }

    public func intersects(_ other: Envelope) -> Bool {
        minX <= other.maxX && other.minX <= maxX && minY <= other.maxY && other.minY <= maxY
    }

    /// For a longitude/latitude envelope: the envelope widened on every side by at least `km` of
    /// ground distance on WGS84. A degree of latitude is at least 110.5 km and a degree of
    /// longitude at least 111.32 km times the cosine of the latitude, taken at the widened box's
    /// far edge, so the margins are never short; 1 % is added for rounding.
    public func widened(byKm km: Double) -> Envelope {
        let dLat = km / 110.5 * 1.01
        let farthest = min(max(abs(minY), abs(maxY)) + dLat, 89.9)
        let dLon = km / (111.32 * cos(farthest * .pi / 180)) * 1.01
        return Envelope(minX: minX - dLon, minY: max(minY - dLat, -90), maxX: maxX + dLon, maxY: min(maxY + dLat, 90))
    }

    public func contains(_ c: Coordinate) -> Bool {
        minX <= c.x && c.x <= maxX && minY <= c.y && c.y <= maxY
    }
}

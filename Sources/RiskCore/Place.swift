import Geo

/// A named place (a town), where routes between places start and end.
public struct Place: Sendable, Hashable {
    public var name: String
    /// WGS84 longitude/latitude.
    public var location: Coordinate

    public init(name: String, location: Coordinate) {
        self.name = name
        self.location = location
    }
}

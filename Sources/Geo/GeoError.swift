/// Every failure of the geometry layer, with the C library's own message where it gave one.
public enum GeoError: Error, Equatable, CustomStringConvertible, Sendable {
    /// GEOS rejected an operation or an input; `message` is GEOS's text.
    case geos(operation: String, message: String)
    /// PROJ could not create or run a transformation; `message` is PROJ's text.
    case proj(operation: String, message: String)
    /// A GeoJSON geometry object did not have the shape RFC 7946 requires.
    case invalidGeoJSON(path: String, reason: String)
    /// A coordinate outside the valid range (longitude -180...180, latitude -90...90) or not finite.
    case coordinateOutOfRange(index: Int, x: Double, y: Double, reason: String)
    /// A geometry that is structurally impossible (a line of one point, an open ring, ...).
    case invalidGeometry(String)

    public var description: String {
        switch self {
        case .geos(let operation, let message):
            return "GEOS \(operation) failed: \(message)"
        case .proj(let operation, let message):
            return "PROJ \(operation) failed: \(message)"
        case .invalidGeoJSON(let path, let reason):
            return "invalid GeoJSON geometry at \(path): \(reason)"
        case .coordinateOutOfRange(let index, let x, let y, let reason):
            return "coordinate \(index) (\(x), \(y)) is out of range: \(reason)"
        case .invalidGeometry(let reason):
            return "invalid geometry: \(reason)"
        }
    }
}

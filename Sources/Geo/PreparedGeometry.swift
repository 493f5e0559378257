import CGEOS

/// A GEOS prepared geometry: indexes its base once so that many predicates against it are fast.
/// Holds its base geometry (GEOS's prepared object points into it) and, through it, the context.
public final class PreparedGeometry {
    public let base: Geometry
    private let handle: OpaquePointer

    init(_ base: Geometry) throws {
        self.base = base
        self.handle = try base.context.check(GEOSPrepare_r(base.context.handle, base.handle), "prepare")
    }

    deinit {
        GEOSPreparedGeom_destroy_r(base.context.handle, handle)
    }

    private var context: GeometryContext { base.context }

    public func covers(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSPreparedCovers_r(context.handle, handle, other.handle), "prepared covers")
    }

    public func intersects(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSPreparedIntersects_r(context.handle, handle, other.handle), "prepared intersects")
    }

    public func contains(_ other: Geometry) throws -> Bool {
        try context.checkPredicate(GEOSPreparedContains_r(context.handle, handle, other.handle), "prepared contains")
    }

    /// Covers for a single position, without building a point geometry per call by the caller.
    public func covers(_ c: Coordinate) throws -> Bool {
        let point = try Geometry(.point(c), in: context)
        return try covers(point)
    }

    public func distance(to other: Geometry) throws -> Double {
        var value = 0.0
        try context.checkStatus(GEOSPreparedDistance_r(context.handle, handle, other.handle, &value), "prepared distance")
        return value
    }
}

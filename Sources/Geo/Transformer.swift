import CPROJ

/// A PROJ coordinate transformation between two CRSs, in longitude/latitude (easting/northing)
/// axis order whatever the CRS definitions say.
///
/// Owns its own PROJ context, so a transformer is safe on the thread that uses it and no other:
/// like `GeometryContext` it is not `Sendable`. Make one per task.
public final class Transformer {
    private let context: OpaquePointer
    private let projection: OpaquePointer
    private let log: LogSink
    public let source: String
    public let target: String

    /// Collects PROJ's log lines, which carry the detail behind an error number.
    private final class LogSink {
        var lines: [String] = []
    }

    /// `source` and `target` are anything PROJ accepts: `EPSG:4326`, a WKT CRS, a PROJ string
    /// with `+type=crs`.
    public init(from source: String, to target: String) throws {
        let (context, log) = try Transformer.makeContext()
        guard let raw = proj_create_crs_to_crs(context, source, target, nil) else {
            let message = Transformer.message(context, log)
            proj_context_destroy(context)
            throw GeoError.proj(operation: "creating a transformation from \(source) to \(target)", message: message)
        }
        let normalized = proj_normalize_for_visualization(context, raw)
        proj_destroy(raw)
        guard let normalized else {
            let message = Transformer.message(context, log)
            proj_context_destroy(context)
            throw GeoError.proj(operation: "normalizing axis order from \(source) to \(target)", message: message)
        }
        self.context = context
        self.projection = normalized
        self.log = log
        self.source = source
        self.target = target
    }

    /// A transformation given as a PROJ pipeline (or single operation) string, taking and giving
    /// coordinates in the order the pipeline states. Creating one needs no lookup in PROJ's
    /// database, so it is much cheaper than a CRS-to-CRS transformer.
    public init(pipeline: String, source: String, target: String) throws {
        let (context, log) = try Transformer.makeContext()
        guard let operation = proj_create(context, pipeline) else {
            let message = Transformer.message(context, log)
            proj_context_destroy(context)
            throw GeoError.proj(operation: "creating the operation \(pipeline)", message: message)
        }
        self.context = context
        self.projection = operation
        self.log = log
        self.source = source
        self.target = target
    }

    deinit {
        proj_destroy(projection)
        proj_context_destroy(context)
    }

    /// A PROJ context whose log lines (the detail behind PROJ's error numbers) go to a sink.
    private static func makeContext() throws -> (OpaquePointer, LogSink) {
        guard let context = proj_context_create() else {
            throw GeoError.proj(operation: "proj_context_create", message: "could not allocate a context")
        }
        let log = LogSink()
        proj_log_level(context, PJ_LOG_ERROR)
        proj_log_func(context, Unmanaged.passUnretained(log).toOpaque()) { userData, _, message in
            guard let userData, let message else { return }
            Unmanaged<LogSink>.fromOpaque(userData).takeUnretainedValue().lines.append(String(cString: message))
        }
        return (context, log)
    }

    private static func message(_ context: OpaquePointer, _ log: LogSink) -> String {
        let code = proj_context_errno(context)
        var parts: [String] = []
        if code != 0, let text = proj_context_errno_string(context, code) { parts.append(String(cString: text)) }
        parts.append(contentsOf: log.lines.suffix(3))
        log.lines.removeAll()
        return parts.isEmpty ? "PROJ reported failure without a message" : parts.joined(separator: "; ")
    }

    /// Transforms every coordinate in place, in one PROJ call. Throws, naming the first
    /// coordinate PROJ could not transform, if any could not.
    public func transform(_ coordinates: inout [Coordinate], inverse: Bool = false) throws {
        guard !coordinates.isEmpty else { return }
        let count = coordinates.count
        let stride = MemoryLayout<Coordinate>.stride
        let original = coordinates
        proj_errno_reset(projection)
        let done = coordinates.withUnsafeMutableBufferPointer { buffer -> Int in
            buffer.withMemoryRebound(to: Double.self) { doubles in
                let base = doubles.baseAddress!
                return proj_trans_generic(projection, inverse ? PJ_INV : PJ_FWD,
                                          base, stride, count, base + 1, stride, count,
                                          nil, 0, 0, nil, 0, 0)
            }
        }
        let code = proj_errno(projection)
        if let bad = coordinates.indices.first(where: { !(coordinates[$0].x.isFinite && coordinates[$0].y.isFinite) }) {
            let reason = code != 0 ? String(cString: proj_context_errno_string(context, code)) : Transformer.message(context, log)
            throw GeoError.coordinateOutOfRange(index: bad, x: original[bad].x, y: original[bad].y,
                                                reason: "PROJ could not transform it from \(inverse ? target : source): \(reason)")
        }
        if done != count {
            throw GeoError.proj(operation: "transforming \(count) coordinates", message: Transformer.message(context, log))
        }
    }

    public func transformed(_ coordinates: [Coordinate], inverse: Bool = false) throws -> [Coordinate] {
        var copy = coordinates
        try transform(&copy, inverse: inverse)
        return copy
    }

    public func transform(_ c: Coordinate, inverse: Bool = false) throws -> Coordinate {
        try transformed([c], inverse: inverse)[0]
    }

    /// The shape with every coordinate transformed, in one PROJ call for the whole shape.
    public func transform(_ shape: Shape, inverse: Bool = false) throws -> Shape {
        let coordinates = try transformed(shape.coordinates, inverse: inverse)
        var next = coordinates.makeIterator()
        return shape.mapCoordinates { _ in next.next()! }
    }
}

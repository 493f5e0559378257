import CGEOS

/// Owns one GEOS context handle (`GEOSContextHandle_t`) and turns GEOS's error and notice
/// messages into Swift errors.
///
/// Threading rule: a context and every `Geometry`, `PreparedGeometry` made in it belong to one
/// task or thread at a time. The type is deliberately not `Sendable`, so the compiler refuses to
/// share it; give each task its own context (they are cheap: one allocation) and pass `Shape`
/// values between tasks instead of geometries.
public final class GeometryContext {
    let handle: GEOSContextHandle_t
    /// The last error GEOS reported through the handler, consumed by `check`.
    private var lastError: String?
    /// Notices (GEOS's warnings, for example why a geometry is invalid), newest last.
    public private(set) var notices: [String] = []

    public init() throws {
        guard let handle = GEOS_init_r() else {
            throw GeoError.geos(operation: "GEOS_init_r", message: "could not allocate a context")
        }
        self.handle = handle
        let me = Unmanaged.passUnretained(self).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userData in
            guard let userData, let message else { return }
            let context = Unmanaged<GeometryContext>.fromOpaque(userData).takeUnretainedValue()
            context.lastError = String(cString: message)
        }, me)
        GEOSContext_setNoticeMessageHandler_r(handle, { message, userData in
            guard let userData, let message else { return }
            let context = Unmanaged<GeometryContext>.fromOpaque(userData).takeUnretainedValue()
            context.notices.append(String(cString: message))
            if context.notices.count > 100 { context.notices.removeFirst(context.notices.count - 100) }
        }, me)
    }

    deinit {
        GEOS_finish_r(handle)
    }

    /// The error for a failed call: GEOS's message if it gave one.
    func failure(_ operation: String) -> GeoError {
        defer { lastError = nil }
        return .geos(operation: operation, message: lastError ?? "GEOS reported failure without a message")
    }

    /// Returns the owned result of a GEOS call that signals failure with NULL.
    func check(_ pointer: OpaquePointer?, _ operation: String) throws -> OpaquePointer {
        guard let pointer else { throw failure(operation) }
        return pointer
    }

    /// Interprets a GEOS predicate result (1 true, 0 false, 2 exception).
    func checkPredicate(_ value: CChar, _ operation: String) throws -> Bool {
        switch value {
        case 1: return true
        case 0: return false
        default: throw failure(operation)
        }
    }

    /// Interprets a GEOS status return (0 means exception).
    func checkStatus(_ value: Int32, _ operation: String) throws {
        if value == 0 { throw failure(operation) }
    }
}

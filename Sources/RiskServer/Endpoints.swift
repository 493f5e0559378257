import Hummingbird

/// Who may call an endpoint.
enum Access: Sendable {
    /// Anyone: health, readiness, metrics and the API's description.
    case open
    /// A read or write token (anyone when no tokens are configured).
    case read
    /// A write token, always.
    case write
}

/// One endpoint: the single list the router, the access check and the 405 answers share, and
/// that the tests hold the OpenAPI document against.
struct Endpoint: Sendable {
    var method: HTTPRequest.Method
    /// The path template as OpenAPI writes it (`/v1/movements/{id}`); Hummingbird reads the same.
    var path: String
    var access: Access

    static let all: [Endpoint] = [
        Endpoint(method: .get, path: "/healthz", access: .open),
        Endpoint(method: .get, path: "/readyz", access: .open),
        Endpoint(method: .get, path: "/metrics", access: .open),
        Endpoint(method: .get, path: "/openapi.json", access: .open),
        Endpoint(method: .post, path: "/v1/score", access: .read),
        Endpoint(method: .get, path: "/v1/movements", access: .read),
        Endpoint(method: .get, path: "/v1/movements/{id}", access: .read),
        Endpoint(method: .get, path: "/v1/runs", access: .read),
        Endpoint(method: .get, path: "/v1/runs/{id}", access: .read),
        Endpoint(method: .post, path: "/v1/incidents", access: .write),
        Endpoint(method: .post, path: "/v1/movements", access: .write),
    ]

    static func find(method: HTTPRequest.Method, path: String?) -> Endpoint? {
        all.first { $0.method == method && $0.path == path }
    }

    /// True for one of the endpoints' path templates (Hummingbird names an unmatched request's
    /// endpoint otherwise, or not at all).
    static func isTemplate(_ path: String?) -> Bool {
        all.contains { $0.path == path }
    }

    /// The methods served on a concrete request path, for a 405's `Allow`.
    static func methods(servingPath requestPath: String) -> [HTTPRequest.Method] {
        let parts = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        return all.filter { endpoint in
            let template = endpoint.path.split(separator: "/", omittingEmptySubsequences: true)
            return template.count == parts.count
                && zip(template, parts).allSatisfy { t, p in t.hasPrefix("{") || t == p }
        }.map(\.method)
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import RiskEngine
import RiskIO

/// Times every request and counts it by route template, method and status, then logs one line.
/// Outermost, so that it sees the status of every answer, problems included. It never logs
/// headers, so tokens stay out of the logs.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        // The template, not the raw path, so that the number of series stays bounded.
        let route = Endpoint.isTemplate(context.endpointPath) ? context.endpointPath! : "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        context.logger.info("\(request.method.rawValue) \(route) \(response.status.code) \(String(format: "%.1f", seconds * 1000)) ms")
        return response
    }
}

/// Turns every error into an RFC 9457 problem, so no client ever sees a bare status or a
/// stack-free 500 for its own mistake.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: ServerLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = self.problem(for: error, request: request, context: context)
            if problem.status.code >= 500, problem.kind == .internalError {
                context.logger.error("\(request.method.rawValue) \(context.endpointPath ?? "unmatched"): \(String(reflecting: error))")
            }
            return try problem.response(from: request, context: context)
        }
    }

    func problem(for error: any Error, request: Request, context: Context) -> Problem {
        let retry: HTTPFields = [.retryAfter: String(limits.retryAfterSeconds)]
        switch error {
        case let problem as Problem:
            return problem
        case let input as InputError:
            return .invalidInput(input)
        case let empty as NoApplicableIncidents:
            // No silent LOW over HTTP either: the answer would rest on zones alone.
            return Problem(.invalidInput, status: .unprocessableContent, title: "No incident applies", detail: empty.description,
                           items: [Problem.Item(source: "incidents", field: "as_of", reason: empty.description)])
        case is NIOTooManyBytesError:
            return .limitExceeded("body size in bytes", limit: limits.maxBodyBytes, got: nil)
        case is ScoringGate.Full:
            return Problem(.overloaded, status: .serviceUnavailable, title: "Overloaded",
                           detail: "all \(limits.scoringSlots) scoring slots are busy and \(limits.queueLength) requests are waiting; retry later",
                           headers: retry)
        case is TimeLimitExceeded:
            return Problem(.timeLimit, status: .serviceUnavailable, title: "Time limit exceeded",
                           detail: "the request took longer than the limit of \(limits.timeLimit); retry later or send fewer routes",
                           headers: retry)
        case let http as HTTPError where http.status == .notFound && !Endpoint.isTemplate(context.endpointPath):
            // The router found no endpoint: either the path is unknown or the method is wrong.
            let allowed = Endpoint.methods(servingPath: request.uri.path)
            if allowed.isEmpty { return .notFound("no endpoint at \(request.uri.path)") }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            return Problem(.methodNotAllowed, status: .methodNotAllowed, title: "Method not allowed",
                           detail: "\(request.uri.path) accepts \(allow), not \(request.method.rawValue)",
                           headers: [.allow: allow])
        case let http as any HTTPResponseError where http.status.code < 500:
            return Problem(.invalidQuery, status: http.status, title: http.status.reasonPhrase, detail: "\(http)")
        default:
            return Problem(.internalError, status: .internalServerError, title: "Internal error",
                           detail: "the server failed to answer; the error is in its log")
        }
    }
}

/// Checks the bearer token against the endpoint's access. The token itself is hashed and
/// forgotten; it is never logged.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // An unmatched request has no endpoint; the router answers it with 404 or 405.
        guard let endpoint = Endpoint.find(method: request.method, path: context.endpointPath) else {
            return try await next(request, context)
        }
        switch endpoint.access {
        case .open:
            break
        case .read where tokens.isEmpty:
            break
        case .read, .write:
            let required: Role = endpoint.access == .write ? .write : .read
            guard !tokens.isEmpty else {
                throw unauthorized("this server has no tokens configured, so it accepts no writes; start it with --tokens")
            }
            guard let header = request.headers[.authorization] else {
                throw unauthorized("this endpoint needs a bearer token with the \(required.rawValue) role")
            }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw unauthorized("the Authorization header must be \"Bearer TOKEN\"")
            }
            guard let role = tokens.role(of: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
                throw unauthorized("the bearer token is not known", invalidToken: true)
            }
            guard role >= required else {
                throw Problem(.forbidden, status: .forbidden, title: "Forbidden",
                              detail: "this endpoint needs a token with the \(required.rawValue) role; this one may only \(role.rawValue)")
            }
        }
        return try await next(request, context)
    }

    private func unauthorized(_ detail: String, invalidToken: Bool = false) -> Problem {
        // RFC 6750: say the scheme, and when a token was sent but is wrong, say so.
        let challenge = invalidToken ? "Bearer realm=\"routerisk\", error=\"invalid_token\"" : "Bearer realm=\"routerisk\""
        return Problem(.unauthorized, status: .unauthorized, title: "Unauthorized", detail: detail,
                       headers: [.wwwAuthenticate: challenge])
    }
}

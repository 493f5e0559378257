import Foundation
import Geo
import Hummingbird
import RiskIO

/// An error answer in RFC 9457's `application/problem+json`: a `type` a client can branch on, a
/// human `title` and `detail`, and for bad input one entry in `errors` per problem found, naming
/// where (the feature, row or query parameter), the field and the reason.
public struct Problem: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The kinds of problem this server reports; each is a URN so that it needs no web page.
    public enum Kind: String, Sendable, CaseIterable {
        case invalidInput = "urn:routerisk:problem:invalid-input"
        case invalidQuery = "urn:routerisk:problem:invalid-query"
        case unsupportedMediaType = "urn:routerisk:problem:unsupported-media-type"
        case notAcceptable = "urn:routerisk:problem:not-acceptable"
        case limitExceeded = "urn:routerisk:problem:limit-exceeded"
        case overloaded = "urn:routerisk:problem:overloaded"
        case timeLimit = "urn:routerisk:problem:time-limit"
        case unauthorized = "urn:routerisk:problem:unauthorized"
        case forbidden = "urn:routerisk:problem:forbidden"
        case notFound = "urn:routerisk:problem:not-found"
        case methodNotAllowed = "urn:routerisk:problem:method-not-allowed"
        case notReady = "urn:routerisk:problem:not-ready"
        case internalError = "urn:routerisk:problem:internal-error"
    }

    /// One thing wrong with the input.
    public struct Item: Sendable, Equatable {
        /// `body`, `query` or an input's name.
        public var source: String
        /// Where in the source: `feature 3`, `line 14`; empty for the whole source or a query parameter.
        public var location: String
        public var field: String?
        public var reason: String

        public init(source: String, location: String = "", field: String? = nil, reason: String) {
            self.source = source
            self.location = location
            self.field = field
            self.reason = reason
        }

        init(_ diagnostic: Diagnostic) {
            self.init(source: diagnostic.file, location: diagnostic.location, field: diagnostic.field, reason: diagnostic.reason)
        }
    }

    public var kind: Kind
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var items: [Item]
    /// Extra headers: `Retry-After`, `WWW-Authenticate`, `Allow`.
    public var headers: HTTPFields

    public init(_ kind: Kind, status: HTTPResponse.Status, title: String, detail: String, items: [Item] = [],
                headers: HTTPFields = [:]) {
        self.kind = kind
        self.status = status
        self.title = title
        self.detail = detail
        self.items = items
        self.headers = headers
    }

    public var description: String {
        "\(status.code) \(title): \(detail)"
    }

    /// The problem's JSON object.
    public var json: JSONValue {
        var members: [JSONValue.Member] = [
            .init("type", .string(kind.rawValue)),
            .init("title", .string(title)),
            .init("status", .number(Double(status.code))),
            .init("detail", .string(detail)),
        ]
        if !items.isEmpty {
            members.append(.init("errors", .array(items.map { item in
                .object([
                    .init("source", .string(item.source)),
                    .init("location", .string(item.location)),
                    .init("field", item.field.map(JSONValue.string) ?? .null),
                    .init("reason", .string(item.reason)),
                ])
            })))
        }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields,
                        body: .init(byteBuffer: ByteBuffer(string: json.serialized(pretty: true) + "\n")))
    }
}

extension Problem {
    /// Input that was read but is wrong: every diagnostic becomes an item.
    static func invalidInput(_ error: InputError) -> Problem {
        let detail = error.diagnostics.count == 1 ? error.diagnostics[0].description
            : "\(error.diagnostics.count) problems in the input; see errors"
        return Problem(.invalidInput, status: .unprocessableContent, title: "Invalid input", detail: detail,
                       items: error.diagnostics.map(Item.init))
    }

    /// A query parameter that cannot be used.
    static func invalidQuery(_ parameter: String, _ reason: String) -> Problem {
        Problem(.invalidQuery, status: .badRequest, title: "Invalid query parameter",
                detail: "\(parameter): \(reason)", items: [Item(source: "query", field: parameter, reason: reason)])
    }

    static func limitExceeded(_ what: String, limit: Int, got: Int?) -> Problem {
        let detail = got.map { "\(what): \($0) is over the limit of \(limit)" } ?? "\(what) is over the limit of \(limit)"
        return Problem(.limitExceeded, status: .contentTooLarge, title: "Request too large", detail: detail,
                       items: [Item(source: "body", field: what, reason: detail)])
    }

    static func notFound(_ detail: String) -> Problem {
        Problem(.notFound, status: .notFound, title: "Not found", detail: detail)
    }
}

import Foundation
import PostgresNIO

/// An error from the PostgreSQL store: which server (its URL without password), what the store
/// was doing, and why, in the server's own words when the server said something.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// The server's URL, without any password.
    public var server: String
    /// What the store was doing: "connecting", "reading the incidents", "recording a chunk".
    public var operation: String
    public var reason: String
    /// The server's five-character SQLSTATE, when the server reported the error.
    public var sqlState: String?
    /// True when the connection to the server is gone (the server stopped, the network failed):
    /// the work can be retried once the server is back.
    public var connectionLost: Bool

    init(server: String, operation: String, reason: String, sqlState: String? = nil, connectionLost: Bool = false) {
        self.server = server
        self.operation = operation
        // Belt and braces: a reason that quotes a URL never shows its password.
        self.reason = PostgresLocation.redact(reason)
        self.sqlState = sqlState
        self.connectionLost = connectionLost
    }

    public var description: String {
        var text = "PostgreSQL \(server): \(operation) failed: \(reason)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if connectionLost { text += "; the connection to the server is lost, run the command again once the server is back" }
        return text
    }

    /// Turns whatever postgres-nio or NIO threw into a clear error. `PSQLError`'s own description
    /// hides the server's message on purpose, so the fields are read here.
    static func from(_ error: any Error, server: String, operation: String, passwordSource: String?) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState]
                var reason = info[.message] ?? "the server reported an error"
                if let detail = info[.detail] { reason += " (\(detail))" }
                if state == "28P01", let passwordSource { reason += "; the password came from \(passwordSource)" }
                // Class 08 is a connection exception; 57P01 to 57P03 mean the server is shutting down or starting.
                let lost = state.map { $0.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains($0) } ?? false
                return PostgresStoreError(server: server, operation: operation, reason: reason, sqlState: state, connectionLost: lost)
            }
            switch error.code {
            case .sslUnsupported:
                return PostgresStoreError(server: server, operation: operation,
                                          reason: "the server does not offer TLS, and sslmode=require demands it")
            case .authMechanismRequiresPassword:
                return PostgresStoreError(server: server, operation: operation,
                                          reason: "the server asks for a password, and none is in the URL, PGPASSWORD or the password file (~/.pgpass)")
            case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return PostgresStoreError(server: server, operation: operation, reason: "the server closed the connection",
                                          connectionLost: true)
            case .connectionError:
                let cause = error.underlying.map { "\($0)" } ?? "no reason given"
                return PostgresStoreError(server: server, operation: operation, reason: "cannot reach the server: \(cause)",
                                          connectionLost: true)
            case .queryCancelled:
                return PostgresStoreError(server: server, operation: operation, reason: "the query was cancelled")
            default:
                let cause = error.underlying.map { ": \($0)" } ?? ""
                return PostgresStoreError(server: server, operation: operation, reason: "\(error.code)\(cause)")
            }
        }
        if let error = error as? PostgresDecodingError {
            return PostgresStoreError(server: server, operation: operation,
                                      reason: "column \(error.columnName) (type \(error.postgresType)) does not decode as \(error.targetType): \(error.code)")
        }
        if error is ChannelError || error is IOError {
            return PostgresStoreError(server: server, operation: operation, reason: "cannot reach the server: \(error)", connectionLost: true)
        }
        return PostgresStoreError(server: server, operation: operation, reason: "\(error)")
    }
}

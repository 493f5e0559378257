import Foundation
import PostgresNIO

/// One connection to the server. Like `SQLiteDatabase`, one session belongs to one task at a
/// time. Every error names the operation and the server (without its password); nothing is
/// logged.
final class PostgresSession {
    let location: PostgresLocation
    private let connection: PostgresConnection
    private let logger: Logger
    private let passwordSource: String?
    private var inTransaction = false

    /// The application name the store gives its connections, so they can be told apart in
    /// `pg_stat_activity`.
    static let applicationName = "routerisk"

    init(_ location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        self.location = location
        var logger = Logger(label: "routerisk.postgres")
        // postgres-nio logs at debug and trace only; nothing it logs ever reaches the output.
        logger.logLevel = .critical
        self.logger = logger

        let credentials = Credentials.password(for: location, environment: environment)
        if let warning = credentials.warning {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        passwordSource = credentials.source

        let server = location.redacted
        func failure(_ reason: String) -> PostgresStoreError {
            PostgresStoreError(server: server, operation: "connecting", reason: reason)
        }
        var configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case .socket(let directory, let port):
            // The server never offers TLS on a Unix socket.
            if [.require, .verifyCA, .verifyFull].contains(location.sslMode) {
                throw failure("sslmode=\(location.sslMode.rawValue) asks for TLS, which a Unix socket (\(directory)) does not offer")
            }
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: location.user,
                                  password: credentials.password, database: location.database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            do {
                tls = try PostgresSession.tls(for: location.sslMode)
            } catch {
                throw failure("cannot set up TLS: \(error)")
            }
            configuration = .init(host: host, port: port, username: location.user, password: credentials.password,
                                  database: location.database, tls: tls)
            if location.sslMode == .verifyFull { configuration.options.tlsServerName = host }
        }
        configuration.options.additionalStartupParameters = [("application_name", location.applicationName ?? PostgresSession.applicationName)]
        if let seconds = location.connectTimeout, seconds > 0 { configuration.options.connectTimeout = .seconds(Int64(seconds)) }

        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw PostgresStoreError.from(error, server: server, operation: "connecting", passwordSource: credentials.source)
        }
    }

    deinit {
        // A session released without `close()` still closes its connection; the callback keeps
        // the connection alive until it is closed, as postgres-nio requires.
        let connection = self.connection
        connection.closeFuture.whenComplete { _ in _ = connection }
        let closing: EventLoopFuture<Void> = connection.close()
        _ = closing
    }

    /// libpq's modes: disable, allow and prefer take TLS when offered (allow as prefer), without
    /// checking the certificate; require insists on TLS; verify-ca also checks the certificate's
    /// chain (against ~/.postgresql/root.crt when present, else the system's roots), and
    /// verify-full the host name too.
    private static func tls(for mode: PostgresLocation.SSLMode) throws -> PostgresConnection.Configuration.TLS {
        if mode == .disable { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .allow, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let home = ProcessInfo.processInfo.environment["HOME"], FileManager.default.fileExists(atPath: home + "/.postgresql/root.crt") {
            configuration.trustRoots = .file(home + "/.postgresql/root.crt")
        }
        let context = try NIOSSLContext(configuration: configuration)
        return mode == .require || mode == .verifyCA || mode == .verifyFull ? .require(context) : .prefer(context)
    }

    private func failure(_ error: any Error, _ operation: String) -> PostgresStoreError {
        PostgresStoreError.from(error, server: location.redacted, operation: operation, passwordSource: passwordSource)
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery, _ operation: String) async throws -> [PostgresRow] {
        // A query sent on a connection that is already gone would wait for ever (postgres-nio
        // answers it never), so a lost connection fails every later call at once.
        guard !connection.isClosed else { throw lost(operation) }
        do {
            return Array(try await connection.query(query, logger: logger).get())
        } catch {
            throw failure(error, operation)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Nested calls join the outer transaction.
    func transaction<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        if inTransaction { return try await body() }
        try await query("BEGIN", operation)
        inTransaction = true
        defer { inTransaction = false }
        let value: T
        do {
            value = try await body()
        } catch {
            // The original error says what went wrong; a failed rollback adds nothing, and on a
            // lost connection the server has rolled back already.
            if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger).get() }
            throw error
        }
        try await query("COMMIT", operation)
        return value
    }

    func close() async {
        guard !connection.isClosed else { return }
        _ = try? await connection.close().get()
    }

    private func lost(_ operation: String) -> PostgresStoreError {
        PostgresStoreError(server: location.redacted, operation: operation, reason: "the server closed the connection",
                           connectionLost: true)
    }
}

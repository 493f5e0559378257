import Foundation

/// Where a PostgreSQL store is and how to log in, from a `postgres://` URL in libpq's form:
///
///     postgres://[user[:password]@][host][:port][/database][?param=value&...]
///
/// The host is a name, an IPv4 address, a bracketed IPv6 address or, percent-encoded, the
/// directory of a Unix socket (`postgres://me@%2Fvar%2Frun%2Fpostgresql/ops`); `?host=/dir` names
/// a socket directory too. Parameters: `sslmode` (disable, allow, prefer, require, verify-ca,
/// verify-full), `host`, `port`, `user`, `password`, `dbname`, `application_name`,
/// `connect_timeout`, `passfile`. What the URL leaves out comes from `PGHOST`, `PGPORT`, `PGUSER`,
/// `PGDATABASE`, `PGSSLMODE`, then libpq's defaults (the socket in /var/run/postgresql, port 5432,
/// the login name, a database named after the user, sslmode prefer).
///
/// The password is never part of `description`: every message prints `redacted`.
struct PostgresLocation: Equatable, CustomStringConvertible {
    enum Endpoint: Equatable {
        case tcp(host: String, port: Int)
        /// A socket directory and port: the socket is `directory/.s.PGSQL.port`, as libpq makes it.
        case socket(directory: String, port: Int)
    }

    enum SSLMode: String, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var endpoint: Endpoint
    var user: String
    /// The password written in the URL itself, if any (see `PasswordSource` for the others).
    var urlPassword: String?
    var database: String
    var sslMode: SSLMode
    var applicationName: String?
    var connectTimeout: Int?
    /// A password file named by `?passfile=` (`Credentials` falls back on `PGPASSFILE`, then `~/.pgpass`).
    var passFile: String?

    static let schemes = ["postgres", "postgresql"]

    /// True when `text` is a PostgreSQL URL rather than a file path.
    static func isURL(_ text: String) -> Bool {
        schemes.contains { text.lowercased().hasPrefix($0 + "://") }
    }

    var host: String {
        switch endpoint {
        case .tcp(let host, _): host
        case .socket(let directory, _): directory
        }
    }

    var port: Int {
        switch endpoint {
        case .tcp(_, let port), .socket(_, let port): port
        }
    }

    /// The URL with no password in it, for every message, log and run record.
    var redacted: String {
        var hostPart: String
        switch endpoint {
        case .tcp(let host, _): hostPart = host.contains(":") ? "[\(host)]" : host
        case .socket(let directory, _): hostPart = PostgresLocation.percentEncode(directory)
        }
        hostPart += ":\(port)"
        var text = "postgres://\(PostgresLocation.percentEncode(user))@\(hostPart)/\(PostgresLocation.percentEncode(database))"
        if sslMode != .prefer { text += "?sslmode=\(sslMode.rawValue)" }
        return text
    }

    var description: String { redacted }

    struct ParseError: Error, CustomStringConvertible {
        var reason: String
        var description: String { "not a valid PostgreSQL URL: \(reason)" }
    }

    /// Parses `text`; `environment` supplies the PG* defaults.
    init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let schemeEnd = text.range(of: "://"),
              PostgresLocation.schemes.contains(text[..<schemeEnd.lowerBound].lowercased()) else {
            throw ParseError(reason: "it must start with postgres:// or postgresql://")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }

        var user: String?
        var password: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = try PostgresLocation.percentDecode(parts[0], what: "the user name")
            if parts.count == 2 { password = try PostgresLocation.percentDecode(parts[1], what: "the password") }
        }

        // Host and port: "[v6]:port", "name:port", "%2Fsocket%2Fdir:port".
        var host: String?
        var portText: String?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw ParseError(reason: "an IPv6 host lacks its closing ]") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty {
                throw ParseError(reason: "unexpected \"\(after)\" after the IPv6 host")
            }
        } else if !rest.isEmpty {
            if rest.contains(",") { throw ParseError(reason: "several hosts are not supported") }
            let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if !parts[0].isEmpty { host = try PostgresLocation.percentDecode(parts[0], what: "the host") }
            if parts.count == 2 { portText = String(parts[1]) }
        }
        var database = path.isEmpty ? nil : try PostgresLocation.percentDecode(path, what: "the database name")

        var sslModeText: String?
        var applicationName: String?
        var connectTimeout: Int?
        var passFile: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ParseError(reason: "the parameter \"\(parts[0])\" has no value") }
            let key = try PostgresLocation.percentDecode(parts[0], what: "a parameter name")
            let value = try PostgresLocation.percentDecode(parts[1], what: "the parameter \(key)")
            switch key {
            case "sslmode": sslModeText = value
            case "host": host = value
            case "port": portText = value
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "application_name": applicationName = value
            case "passfile": passFile = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw ParseError(reason: "connect_timeout must be a whole number of seconds, got \"\(value)\"")
                }
                connectTimeout = seconds
            default:
                throw ParseError(reason: "unknown parameter \"\(key)\" (known: sslmode, host, port, user, password, dbname, "
                                 + "application_name, connect_timeout, passfile)")
            }
        }

        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let resolvedHost = host ?? nonEmpty("PGHOST") ?? "/var/run/postgresql"
        let resolvedPortText = portText.flatMap { $0.isEmpty ? nil : $0 } ?? nonEmpty("PGPORT") ?? "5432"
        guard let port = Int(resolvedPortText), (1...65_535).contains(port) else {
            throw ParseError(reason: "the port must be a number from 1 to 65535, got \"\(resolvedPortText)\"")
        }
        let resolvedUser = user.flatMap { $0.isEmpty ? nil : $0 } ?? nonEmpty("PGUSER") ?? PostgresLocation.loginName()
        guard let resolvedUser else { throw ParseError(reason: "no user name given, and the login name is unknown") }
        let modeText = sslModeText ?? nonEmpty("PGSSLMODE") ?? "prefer"
        guard let sslMode = SSLMode(rawValue: modeText) else {
            throw ParseError(reason: "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(modeText)\"")
        }

        endpoint = resolvedHost.hasPrefix("/") ? .socket(directory: resolvedHost, port: port) : .tcp(host: resolvedHost, port: port)
        self.user = resolvedUser
        urlPassword = password
        self.database = database.flatMap { $0.isEmpty ? nil : $0 } ?? nonEmpty("PGDATABASE") ?? resolvedUser
        self.sslMode = sslMode
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.passFile = passFile
    }

    private static func loginName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    private static func percentDecode(_ text: Substring, what: String) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw ParseError(reason: "\(what) has a malformed %-escape")
        }
        return decoded
    }

    private static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension PostgresLocation {
    /// Removes the password of any PostgreSQL URL in `text` (`postgres://me:secret@h/db` becomes
    /// `postgres://me@h/db`), for messages that quote what a user typed.
    static func redact(_ text: String) -> String {
        let pattern = #"(postgres(?:ql)?://[^:@/?\s]*):[^@/?\s]*@"#
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return text }
        let range = NSRange(text.startIndex..., in: text)
        var result = expression.stringByReplacingMatches(in: text, range: range, withTemplate: "$1@")
        // A password given as a query parameter.
        if let parameter = try? NSRegularExpression(pattern: #"([?&]password=)[^&\s]*"#, options: [.caseInsensitive]) {
            result = parameter.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result),
                                                        withTemplate: "$1***")
        }
        return result
    }
}

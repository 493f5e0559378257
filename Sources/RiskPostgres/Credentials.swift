import Foundation

/// Finds the password for a location as libpq does: the URL's own, else `PGPASSWORD`, else the
/// first matching line of the password file (`passfile=`, `PGPASSFILE`, else `~/.pgpass`).
enum Credentials {
    struct Lookup: Equatable {
        var password: String?
        /// Where the password came from, for messages: "the URL", "PGPASSWORD", a file path, or nil.
        var source: String?
        /// Why the password file was skipped, if it was (libpq warns the same way).
        var warning: String?
    }

    static func password(for location: PostgresLocation,
                         environment: [String: String] = ProcessInfo.processInfo.environment) -> Lookup {
        if let password = location.urlPassword { return Lookup(password: password, source: "the URL") }
        if let password = environment["PGPASSWORD"], !password.isEmpty { return Lookup(password: password, source: "PGPASSWORD") }
        let path = location.passFile ?? environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let path, FileManager.default.fileExists(atPath: path) else { return Lookup() }

        // libpq ignores a password file that the group or others can read or write.
        var info = stat()
        guard stat(path, &info) == 0 else { return Lookup() }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return Lookup(warning: "password file \"\(path)\" is not a plain file")
        }
        guard info.st_mode & (S_IRWXG | S_IRWXO) == 0 else {
            return Lookup(warning: "password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return Lookup(warning: "password file \"\(path)\" cannot be read as UTF-8 text")
        }
        guard let password = match(text, location: location) else { return Lookup() }
        return Lookup(password: password, source: path)
    }

    /// The password of the first line of a password file that matches the location. Each line is
    /// `hostname:port:database:username:password`; any of the first four may be `*`; `\:` and `\\`
    /// escape a colon and a backslash; lines starting with `#` are comments. A Unix-socket
    /// connection matches its socket directory, and `localhost` too when that directory is the
    /// default one (as libpq does).
    static func match(_ text: String, location: PostgresLocation) -> String? {
        var hosts = [location.host]
        if case .socket(let directory, _) = location.endpoint, ["/var/run/postgresql", "/run/postgresql", "/tmp"].contains(directory) {
            hosts.append("localhost")
        }
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            if line.hasPrefix("#") { continue }
            let fields = splitFields(line)
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ values: [String]) -> Bool { field == "*" || values.contains(field) }
            if matches(fields[0], hosts), matches(fields[1], [String(location.port)]),
               matches(fields[2], [location.database]), matches(fields[3], [location.user]) {
                return fields[4]
            }
        }
        return nil
    }

    /// Splits a password-file line at unescaped colons, unescaping `\:` and `\\`. The password,
    /// the last field, keeps any further colons as libpq does.
    private static func splitFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

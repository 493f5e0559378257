import Foundation
import Testing
@testable import RiskPostgres

@Suite struct LocationTests {
    let noEnvironment: [String: String] = [:]

    @Test func tcpURLWithEveryPart() throws {
        let location = try PostgresLocation("postgres://planner:s3cret@db.example.org:6543/ops?sslmode=require&application_name=night",
                                            environment: noEnvironment)
        #expect(location.endpoint == .tcp(host: "db.example.org", port: 6543))
        #expect(location.user == "planner")
        #expect(location.urlPassword == "s3cret")
        #expect(location.database == "ops")
        #expect(location.sslMode == .require)
        #expect(location.applicationName == "night")
        #expect(location.redacted == "postgres://planner@db.example.org:6543/ops?sslmode=require")
    }

    @Test func percentEncodedPartsAndIPv6() throws {
        let location = try PostgresLocation("postgresql://j%40ne:p%3Aw%2Fd@[::1]:5433/my%20db", environment: noEnvironment)
        #expect(location.endpoint == .tcp(host: "::1", port: 5433))
        #expect(location.user == "j@ne")
        #expect(location.urlPassword == "p:w/d")
        #expect(location.database == "my db")
        #expect(location.redacted == "postgres://j%40ne@[::1]:5433/my%20db")
    }

    @Test func unixSocketHostsAsPathOrParameter() throws {
        let encoded = try PostgresLocation("postgres://me@%2Ftmp%2Fpg%20sock:5999/ops", environment: noEnvironment)
        #expect(encoded.endpoint == .socket(directory: "/tmp/pg sock", port: 5999))
        let parameter = try PostgresLocation("postgres:///ops?host=/var/run/postgresql&user=me", environment: noEnvironment)
        #expect(parameter.endpoint == .socket(directory: "/var/run/postgresql", port: 5432))
        #expect(parameter.user == "me")
        #expect(parameter.database == "ops")
    }

    @Test func missingPartsComeFromTheEnvironmentThenLibpqDefaults() throws {
        let environment = ["PGHOST": "pg.internal", "PGPORT": "7000", "PGUSER": "etl", "PGDATABASE": "risk", "PGSSLMODE": "disable"]
        let fromEnvironment = try PostgresLocation("postgres://", environment: environment)
        #expect(fromEnvironment.endpoint == .tcp(host: "pg.internal", port: 7000))
        #expect(fromEnvironment.user == "etl")
        #expect(fromEnvironment.database == "risk")
        #expect(fromEnvironment.sslMode == .disable)
        let defaults = try PostgresLocation("postgres://alice@", environment: noEnvironment)
        #expect(defaults.endpoint == .socket(directory: "/var/run/postgresql", port: 5432))
        #expect(defaults.database == "alice")  // libpq: the database is named after the user
        #expect(defaults.sslMode == .prefer)
    }

    @Test func badURLsAreRefusedWithTheReason() {
        func reason(_ text: String) -> String {
            do {
                _ = try PostgresLocation(text, environment: noEnvironment)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(reason("mysql://me@host/db").contains("postgres://"))
        #expect(reason("postgres://me@host:99999/db").contains("port"))
        #expect(reason("postgres://me@host:abc/db").contains("port"))
        #expect(reason("postgres://me@host/db?sslmode=maybe").contains("sslmode"))
        #expect(reason("postgres://me@host/db?colour=blue").contains("unknown parameter \"colour\""))
        #expect(reason("postgres://me@h1,h2/db").contains("several hosts"))
    }

    @Test func redactionRemovesPasswordsFromAnyText() {
        let text = "cannot open postgres://me:hunter2@h:5432/db and postgresql://x:y@z/w?password=abc&sslmode=require"
        let redacted = PostgresLocation.redact(text)
        #expect(!redacted.contains("hunter2"))
        #expect(!redacted.contains(":y@"))
        #expect(!redacted.contains("abc"))
        #expect(redacted.contains("postgres://me@h:5432/db"))
        #expect(redacted.contains("sslmode=require"))
        let error = PostgresStoreError(server: "postgres://me@h/db", operation: "connecting", reason: "bad postgres://me:hunter2@h/db")
        #expect(!"\(error)".contains("hunter2"))
    }

    @Test func passwordPrecedenceIsURLThenEnvironmentThenFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pgpass").path
        try "*:*:*:*:from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let environment = ["PGPASSWORD": "from-env", "PGPASSFILE": file]

        let withPassword = try PostgresLocation("postgres://me:from-url@h/db", environment: environment)
        #expect(Credentials.password(for: withPassword, environment: environment).password == "from-url")
        let without = try PostgresLocation("postgres://me@h/db", environment: environment)
        #expect(Credentials.password(for: without, environment: environment).password == "from-env")
        let fileOnly = ["PGPASSFILE": file]
        let lookup = Credentials.password(for: try PostgresLocation("postgres://me@h/db", environment: fileOnly), environment: fileOnly)
        #expect(lookup.password == "from-file")
        #expect(lookup.source == file)

        // A file that others may read is ignored, with libpq's warning.
        chmod(file, 0o644)
        let ignored = Credentials.password(for: try PostgresLocation("postgres://me@h/db", environment: fileOnly), environment: fileOnly)
        #expect(ignored.password == nil)
        #expect(ignored.warning?.contains("group or world access") == true)
    }

    @Test func passwordFileLinesMatchFieldByField() throws {
        let file = """
            # comment line
            other.host:5432:db:me:wrong-host
            db.host:5433:db:me:wrong-port
            db.host:5432:*:someone:wrong-user
            db.host:5432:*:me:first\\:match\\\\x
            *:*:*:*:too-late

            """
        let location = try PostgresLocation("postgres://me@db.host:5432/db", environment: noEnvironment)
        // `\:` is a colon and `\\` a backslash.
        #expect(Credentials.match(file, location: location) == "first:match\\x")
        let wildcard = try PostgresLocation("postgres://you@elsewhere:1/x", environment: noEnvironment)
        #expect(Credentials.match(file, location: wildcard) == "too-late")
        // A colon in the password field needs no escape.
        #expect(Credentials.match("h:1:d:u:a:b:c", location: try PostgresLocation("postgres://u@h:1/d", environment: noEnvironment)) == "a:b:c")
        // The default socket directory also matches `localhost`; another directory matches only itself.
        let socket = try PostgresLocation("postgres://u@%2Fvar%2Frun%2Fpostgresql/d", environment: noEnvironment)
        #expect(Credentials.match("localhost:5432:d:u:sock", location: socket) == "sock")
        let ownSocket = try PostgresLocation("postgres://u@%2Ftmp%2Fmine/d", environment: noEnvironment)
        #expect(Credentials.match("localhost:5432:d:u:sock", location: ownSocket) == nil)
        #expect(Credentials.match("/tmp/mine:5432:d:u:mine", location: ownSocket) == "mine")
    }
}

import Foundation
import PostgresNIO
import Testing
@testable import RiskPostgres

/// Against the real server that `make test` starts. These connect to the cluster's `postgres`
/// database: its test database is the template that other tests copy, which must stay unused.
@Suite(.serialized) struct ConnectionTests {
    let socketURL = TestServer.url.map { TestServer.url(database: "postgres", base: $0) }
    let tcpURL = TestServer.tcpURL.map { TestServer.url(database: "postgres", base: $0) }

    func scalar(_ session: PostgresSession, _ sql: String) async throws -> String {
        let rows = try await session.query(.init(unsafeSQL: sql), "test query")
        return try rows[0].decode(String.self)
    }

    func message(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func socketConnectionNeedsNoPassword() async throws {
        guard TestServer.available else { return }
        let session = try await PostgresSession(try PostgresLocation(socketURL!))
        #expect(try await scalar(session, "SELECT current_setting('application_name')") == "routerisk")
        #expect(try await scalar(session, "SELECT (current_setting('server_version_num')::int >= 150000)::text") == "true")
        await session.close()
    }

    @Test func tcpPasswordFromEnvironmentFileOrURLAndNeverPrinted() async throws {
        guard TestServer.available, let tcp = tcpURL, let password = TestServer.password else { return }
        let location = try PostgresLocation(tcp)
        // No password anywhere: the server's demand is explained.
        let none = await message { _ = try await PostgresSession(location, environment: ["PGPASSFILE": "/nonexistent"]) }
        #expect(none.contains("asks for a password"), "\(none)")

        let fromEnvironment = try await PostgresSession(location, environment: ["PGPASSWORD": password, "PGPASSFILE": "/nonexistent"])
        #expect(try await scalar(fromEnvironment, "SELECT current_user::text") == "routerisk")
        await fromEnvironment.close()

        // A password file, matched on host, port, database and user.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "127.0.0.1:\(location.port):\(location.database):routerisk:\(password)\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let fromFile = try await PostgresSession(location, environment: ["PGPASSFILE": file])
        #expect(try await scalar(fromFile, "SELECT current_user::text") == "routerisk")
        await fromFile.close()

        // The password in the URL works, and a wrong one gives the server's reason and where the
        // password came from, never the password.
        let rightURL = tcp.replacingOccurrences(of: "routerisk@", with: "routerisk:\(password)@")
        let fromURL = try await PostgresSession(try PostgresLocation(rightURL), environment: [:])
        await fromURL.close()
        let wrongURL = tcp.replacingOccurrences(of: "routerisk@", with: "routerisk:Wr0ngSecret@")
        let wrong = await message { _ = try await PostgresStore(url: wrongURL) }
        #expect(wrong.contains("password authentication failed"), "\(wrong)")
        #expect(wrong.contains("the password came from the URL"), "\(wrong)")
        #expect(wrong.contains("28P01"))
        #expect(!wrong.contains("Wr0ngSecret"), "\(wrong)")
    }

    @Test func sslModeRequireIsHonoured() async throws {
        guard TestServer.available, let tcp = tcpURL, let password = TestServer.password else { return }
        let environment = ["PGPASSWORD": password]
        func ssl(_ mode: String) async throws -> String {
            let session = try await PostgresSession(try PostgresLocation(tcp + "?sslmode=\(mode)"), environment: environment)
            let value = try await scalar(session, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            await session.close()
            return value
        }
        #expect(try await ssl("require") == "true")
        #expect(try await ssl("prefer") == "true")
        #expect(try await ssl("disable") == "false")

        // A Unix socket never offers TLS.
        let socket = await message { _ = try await PostgresSession(try PostgresLocation(socketURL! + "?sslmode=require")) }
        #expect(socket.contains("Unix socket"), "\(socket)")

        // A server that does not offer TLS: require fails, prefer goes on without.
        try await TestServer.admin("ALTER SYSTEM SET ssl = off")
        try await TestServer.admin("SELECT pg_reload_conf()")
        try await Task.sleep(for: .milliseconds(500))  // the reload reaches the postmaster asynchronously
        let refused = await message { _ = try await ssl("require") }
        let preferred = await message { if try await ssl("prefer") != "false" { throw CancellationError() } }
        try await TestServer.admin("ALTER SYSTEM RESET ssl")
        try await TestServer.admin("SELECT pg_reload_conf()")
        #expect(refused.contains("does not offer TLS"), "\(refused)")
        #expect(preferred == "no error")
    }

    @Test func anUnreachableServerIsAClearErrorThatNamesIt() async throws {
        // Port 1 on loopback: nothing listens there. No server needed.
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresStore(url: "postgres://me:topsecret@127.0.0.1:1/ops?connect_timeout=5")
        }
        #expect(error?.connectionLost == true)
        #expect(error?.operation == "connecting")
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("postgres://me@127.0.0.1:1/ops"), "\(text)")
        #expect(!text.contains("topsecret"))
    }
}

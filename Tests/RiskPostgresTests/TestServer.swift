import Foundation
import Testing
@testable import RiskPostgres

/// The throwaway server that `make test` starts (Tests/tools/pg-cluster.sh). Tests that need it
/// check `TestServer.available` and are skipped, with the reason printed, when it is absent.
enum TestServer {
    static let environment = ProcessInfo.processInfo.environment

    /// The cluster's database over its Unix socket (no password needed).
    static let url = environment["ROUTERISK_TEST_POSTGRES"]
    /// The same database over 127.0.0.1, where the password is required and TLS is offered.
    static let tcpURL = environment["ROUTERISK_TEST_POSTGRES_TCP"]
    static let password = environment["ROUTERISK_TEST_POSTGRES_PASSWORD"]

    static var available: Bool {
        if url == nil {
            print("skipped: ROUTERISK_TEST_POSTGRES is not set; `make test` starts a PostgreSQL server for these tests")
        }
        return url != nil
    }

    /// `url` with its database replaced by `database`.
    static func url(database: String, base: String? = url) -> String {
        let text = base!
        let query = text.firstIndex(of: "?").map { String(text[$0...]) } ?? ""
        let withoutQuery = text.firstIndex(of: "?").map { String(text[..<$0]) } ?? text
        let slash = withoutQuery.lastIndex(of: "/")!
        return String(withoutQuery[...slash]) + database + query
    }

    /// Makes an empty database with PostGIS (a copy of the cluster's database) and returns its URL.
    /// `drop(_:)` removes it.
    static func freshDatabase(_ label: String = "t") async throws -> String {
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        try await admin("CREATE DATABASE \(name) TEMPLATE \(templateName)")
        return url(database: name)
    }

    static func drop(_ databaseURL: String) async {
        let name = databaseURL.split(separator: "/").last!.split(separator: "?").first!
        try? await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs `body` with the URL of a fresh database, dropped afterwards whatever happens.
    static func withDatabase<T>(_ label: String, _ body: (String) async throws -> T) async throws -> T {
        let url = try await freshDatabase(label)
        do {
            let value = try await body(url)
            await drop(url)
            return value
        } catch {
            await drop(url)
            throw error
        }
    }

    /// The database `make test` created, used as the template of fresh ones.
    static var templateName: String {
        let text = url!
        let path = text.split(separator: "/").last!
        return String(path.split(separator: "?").first!)
    }

    /// Runs SQL on the cluster's `postgres` database as the cluster's superuser.
    static func admin(_ sql: String) async throws {
        let session = try await PostgresSession(try PostgresLocation(url(database: "postgres")))
        do {
            try await session.query(.init(unsafeSQL: sql), "test setup: \(sql)")
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }
}

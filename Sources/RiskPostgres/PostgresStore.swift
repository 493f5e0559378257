import Foundation
import PostgresNIO

/// The store on a PostgreSQL server with PostGIS: the same zones, incidents, routes, movements,
/// runs and scores as the embedded store, shared by every planner and worker that points at it.
/// One `PostgresStore` holds one connection and belongs to one task at a time.
public final class PostgresStore {
    let session: PostgresSession
    /// Whether this connection holds the store's batch lock, and how: shared (a worker) or not
    /// (a batch); nil when it does not (see `holdBatchLock`).
    var heldBatchLock: (shared: Bool, Void)?

    /// The server's URL without any password: what every message and run record shows.
    public var location: String { session.location.redacted }

    /// True when `text` names a PostgreSQL server (`postgres://` or `postgresql://`) rather than a file.
    public static func isURL(_ text: String) -> Bool { PostgresLocation.isURL(text) }

    public static var schemaVersion: Int { PostgresSchema.migrations.count }

    /// Connects to the server at `url` and runs any pending migrations. Without `create`, a
    /// database that has no store yet is an error that says how to make one; with it (`store
    /// init`), the schema is created, and PostGIS too when this user may install it.
    public init(url: String, create: Bool = false) async throws {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url)
        } catch {
            throw PostgresStoreError(server: PostgresLocation.redact(url), operation: "reading the store's URL", reason: "\(error)")
        }
        session = try await PostgresSession(location)
        try await migrate(create: create)
    }

    /// Closes the connection now rather than when the store is released.
    public func close() async {
        await session.close()
    }

    public func version() async throws -> Int {
        let rows = try await session.query("SELECT COALESCE(MAX(version), 0)::int8 AS version FROM schema_migrations", "reading the schema version")
        guard let row = rows.first else { return 0 }
        return Int(try row.decode(Int64.self))
    }

    private func migrate(create: Bool) async throws {
        let operation = "migrating the schema"
        try await session.transaction(operation) {
            // Workers that start together: one migrates, the others wait and then find nothing to do.
            try await session.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", operation)
            let exists = try await session.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", operation)
            let present = try exists.first?.decode(Bool.self) == true
            if !present && !create {
                throw PostgresStoreError(server: location, operation: "opening the store",
                                         reason: "the database has no RouteRisk store; create one with `routerisk store init --store \(location)`")
            }
            try await ensurePostGIS()
            try await session.query(PostgresQuery(unsafeSQL: PostgresSchema.createMigrationsTable), operation)
            let applied = try await session.query("SELECT version FROM schema_migrations", operation).map { Int(try $0.decode(Int32.self)) }
            if let newest = applied.max(), newest > PostgresSchema.migrations.count {
                throw PostgresStoreError(server: location, operation: operation,
                                         reason: "the store has schema version \(newest), newer than this routerisk (\(PostgresSchema.migrations.count))")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                let step = "applying migration \(migration.version) (\(migration.description))"
                for statement in migration.statements {
                    try await session.query(PostgresQuery(unsafeSQL: statement), step)
                }
                try await session.query("INSERT INTO schema_migrations (version, description) VALUES (\(migration.version), \(migration.description))", step)
            }
        }
    }

    private func ensurePostGIS() async throws {
        let installed = try await session.query("SELECT extversion FROM pg_extension WHERE extname = 'postgis'", "looking for PostGIS")
        guard installed.isEmpty else { return }
        do {
            try await session.query("CREATE EXTENSION postgis", "installing PostGIS")
        } catch let error as PostgresStoreError {
            throw PostgresStoreError(server: location, operation: "installing PostGIS",
                                     reason: "\(error.reason); PostGIS must be available on the server (Debian: postgresql-15-postgis-3) "
                                        + "and an administrator can run CREATE EXTENSION postgis in this database",
                                     sqlState: error.sqlState)
        }
    }
}

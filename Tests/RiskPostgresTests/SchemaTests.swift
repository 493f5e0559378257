import Foundation
import PostgresNIO
import Testing
@testable import RiskPostgres

@Suite struct SchemaTests {
    func strings(_ session: PostgresSession, _ sql: String) async throws -> [String] {
        try await session.query(.init(unsafeSQL: sql), "test query").map { try $0.decode(String.self) }
    }

    @Test func initMigratesOnceAndOtherCommandsNeedAStore() async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("schema") { url in
            let missing = await #expect(throws: PostgresStoreError.self) { _ = try await PostgresStore(url: url) }
            #expect(missing?.reason.contains("routerisk store init --store") == true)

            let store = try await PostgresStore(url: url, create: true)
            #expect(try await store.version() == PostgresStore.schemaVersion)
            let versions = try await strings(store.session, "SELECT version::text FROM schema_migrations ORDER BY version")
            #expect(versions == (1...PostgresStore.schemaVersion).map(String.init))
            await store.close()
            // Opening again applies nothing twice.
            let again = try await PostgresStore(url: url)
            #expect(try await strings(again.session, "SELECT count(*)::text FROM schema_migrations") == [String(PostgresStore.schemaVersion)])
            await again.close()
        }
    }

    @Test func geometryColumnsAreTypedForQGIS() async throws {
        guard TestServer.available else { return }
        try await TestServer.withDatabase("schema") { url in
            let store = try await PostgresStore(url: url, create: true)
            // What QGIS and ogr2ogr read to list layers: one type and SRID 4326 per geometry column.
            let layers = try await strings(store.session, """
                SELECT f_table_name || '.' || f_geometry_column || ' ' || type || ' ' || srid
                FROM geometry_columns ORDER BY f_table_name
                """)
            #expect(layers == [
                "incidents.location POINT 4326",
                "latest_scores.geometry MULTILINESTRING 4326",
                "routes.geometry MULTILINESTRING 4326",
                "zones.geometry MULTIPOLYGON 4326",
            ])
            let times = try await strings(store.session, """
                SELECT (table_name || '.' || column_name)::text FROM information_schema.columns
                WHERE table_schema = 'public' AND data_type = 'timestamp with time zone'
                ORDER BY 1
                """)
            #expect(times.contains("incidents.occurred_at") && times.contains("movements.departs_at") && times.contains("scores.evaluated_at"))
            #expect(try await strings(store.session, "SELECT count(*)::text FROM latest_scores") == ["0"])
            await store.close()
        }
    }
}

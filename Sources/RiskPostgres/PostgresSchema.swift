/// The PostgreSQL store's schema, as numbered migrations recorded in `schema_migrations`.
/// Opening a store runs the missing ones, each in its own transaction under an advisory lock, so
/// workers that start together migrate once. Never edit a migration that has shipped: add the
/// next one.
///
/// Geometry lives in PostGIS columns in SRID 4326, one geometry type per column so that QGIS and
/// ogr2ogr open each table as one layer: routes as MultiLineStrings, zones as MultiPolygons,
/// incidents as Points. `given_as` keeps the type a route or zone was imported as (a LineString
/// is stored as a one-part MultiLineString), so it reads back exactly as it was given. Times are
/// `timestamptz`, written from and read back to seconds since 1970 at PostgreSQL's microsecond
/// resolution.
enum PostgresSchema {
    struct Migration {
        var version: Int
        var description: String
        var statements: [String]
    }

    /// The key of the advisory lock held while migrating.
    static let migrationLock: Int64 = 0x5254_5343_4845_4D41  // "RTSCHEMA"

    static let createMigrationsTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            description text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static let migrations: [Migration] = [
        Migration(version: 1, description: "zones, incidents, routes, movements, runs and scores; the latest_scores view", statements: [
            """
            CREATE TABLE meta (
                key text PRIMARY KEY,
                value text NOT NULL
            )
            """,
            """
            CREATE TABLE zones (
                id text PRIMARY KEY,
                name text NOT NULL,
                kind text NOT NULL,
                base double precision NOT NULL CHECK (base >= 0),
                multiplier double precision NOT NULL CHECK (multiplier > 0),
                geometry geometry(MultiPolygon, 4326) NOT NULL,
                given_as text NOT NULL CHECK (given_as IN ('Polygon', 'MultiPolygon')),
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX zones_geometry ON zones USING gist (geometry)",
            """
            CREATE TABLE incidents (
                id text PRIMARY KEY,
                occurred_at timestamptz NOT NULL,
                location geometry(Point, 4326) NOT NULL,
                killed double precision NOT NULL CHECK (killed >= 0),
                injured double precision NOT NULL CHECK (injured >= 0),
                category text,
                target text,
                description text,
                source text,
                added_at timestamptz NOT NULL,
                created_revision bigint NOT NULL,
                changed_revision bigint NOT NULL
            )
            """,
            "CREATE INDEX incidents_changed ON incidents (changed_revision)",
            "CREATE INDEX incidents_created ON incidents (created_revision)",
            "CREATE INDEX incidents_location ON incidents USING gist (location)",
            """
            CREATE TABLE routes (
                id text PRIMARY KEY,
                name text,
                geometry geometry(MultiLineString, 4326) NOT NULL,
                given_as text NOT NULL CHECK (given_as IN ('LineString', 'MultiLineString')),
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX routes_geometry ON routes USING gist (geometry)",
            """
            CREATE TABLE movements (
                id text PRIMARY KEY,
                route_id text NOT NULL REFERENCES routes (id) ON UPDATE CASCADE,
                departs_at timestamptz NOT NULL,
                status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'done')),
                labels text NOT NULL DEFAULT '',
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX movements_departure ON movements (status, departs_at, id)",
            """
            CREATE TABLE runs (
                id bigserial PRIMARY KEY,
                started_at timestamptz NOT NULL,
                finished_at timestamptz,
                as_of timestamptz NOT NULL,
                "window" text NOT NULL,
                model text NOT NULL,
                model_hash text NOT NULL,
                zones_hash text NOT NULL,
                incident_revision bigint NOT NULL,
                mode text NOT NULL CHECK (mode IN ('full', 'incremental')),
                status text NOT NULL CHECK (status IN ('running', 'completed', 'abandoned')),
                selected integer NOT NULL DEFAULT 0,
                scored integer NOT NULL DEFAULT 0,
                failed integer NOT NULL DEFAULT 0,
                recomputed integer NOT NULL DEFAULT 0,
                reused integer NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE scores (
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                movement_id text NOT NULL,
                route_id text NOT NULL,
                route_hash text NOT NULL,
                evaluated_at timestamptz NOT NULL,
                length_km double precision NOT NULL,
                exposure double precision NOT NULL,
                base_exposure double precision NOT NULL,
                incident_exposure double precision NOT NULL,
                mean_hazard double precision NOT NULL,
                peak_hazard double precision NOT NULL,
                peak_at_km double precision NOT NULL,
                peak_lon double precision NOT NULL,
                peak_lat double precision NOT NULL,
                score double precision NOT NULL,
                band text NOT NULL,
                zones text NOT NULL,
                top_incidents text NOT NULL,
                how text NOT NULL CHECK (how IN ('full', 'updated', 'reused')),
                profile bytea,
                PRIMARY KEY (run_id, movement_id)
            )
            """,
            "CREATE INDEX scores_movement ON scores (movement_id, run_id DESC)",
            """
            CREATE TABLE failures (
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                movement_id text NOT NULL,
                reason text NOT NULL,
                PRIMARY KEY (run_id, movement_id)
            )
            """,
            // Each movement's score from the latest completed run that scored it, on its route's
            // line: one MultiLineString layer for QGIS or ogr2ogr, keyed by movement_id.
            """
            CREATE VIEW latest_scores AS
            SELECT DISTINCT ON (s.movement_id)
                s.movement_id, s.run_id, s.route_id, r.name AS route_name, m.departs_at, m.status, m.labels,
                s.evaluated_at, s.score, s.band, s.exposure, s.base_exposure, s.incident_exposure, s.length_km,
                s.mean_hazard, s.peak_hazard, s.peak_at_km, s.peak_lon, s.peak_lat, s.how, s.zones, s.top_incidents,
                r.geometry
            FROM scores s
            JOIN runs ON runs.id = s.run_id AND runs.status = 'completed'
            JOIN routes r ON r.id = s.route_id
            LEFT JOIN movements m ON m.id = s.movement_id
            ORDER BY s.movement_id, s.run_id DESC
            """,
        ]),
        Migration(version: 2, description: "chunks of a run that distributed workers lease", statements: [
            // A chunk's lease names its worker and that worker's server session (pid and start), so
            // a worker whose connection is gone (killed, crashed, the server restarted) holds
            // nothing; `lease_expires` covers a machine that vanished with its connection open.
            """
            CREATE TABLE run_chunks (
                run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                chunk integer NOT NULL,
                movement_ids text[] NOT NULL,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
                leased_by text,
                leased_pid integer,
                leased_backend_start timestamptz,
                lease_expires timestamptz,
                attempts integer NOT NULL DEFAULT 0,
                done_by text,
                done_at timestamptz,
                PRIMARY KEY (run_id, chunk)
            )
            """,
            "CREATE INDEX run_chunks_pending ON run_chunks (run_id, chunk) WHERE status = 'pending'",
        ]),
        // Runs recorded before have none, which the column says explicitly
        // (`RunBasisJSON.unrecorded`), so that a NULL is a damaged row.
        Migration(version: 3, description: "each run keeps what its scores rest on", statements: [
            "ALTER TABLE runs ADD COLUMN basis text",
            "UPDATE runs SET basis = 'unrecorded'",
        ]),
    ]
}

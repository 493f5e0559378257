/// The store's schema, as numbered migrations. `PRAGMA user_version` records how many have run;
/// opening a store runs the missing ones in one transaction each. Never edit a migration that
/// has shipped: add the next one.
enum Schema {
    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE zones (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            base REAL NOT NULL CHECK (base >= 0),
            multiplier REAL NOT NULL CHECK (multiplier > 0),
            geometry TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            occurred_at REAL NOT NULL,
            lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
            lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
            killed REAL NOT NULL CHECK (killed >= 0),
            injured REAL NOT NULL CHECK (injured >= 0),
            category TEXT,
            target TEXT,
            description TEXT,
            source TEXT,
            added_at REAL NOT NULL,
            created_revision INTEGER NOT NULL,
            changed_revision INTEGER NOT NULL
        );
        CREATE INDEX incidents_changed ON incidents (changed_revision);
        CREATE TABLE routes (
            id TEXT PRIMARY KEY,
            name TEXT,
            geometry TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE movements (
            id TEXT PRIMARY KEY,
            route_id TEXT NOT NULL REFERENCES routes (id) ON UPDATE CASCADE,
            departs_at REAL NOT NULL,
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'done')),
            labels TEXT NOT NULL DEFAULT '',
            updated_at REAL NOT NULL
        );
        CREATE INDEX movements_departure ON movements (status, departs_at);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at REAL NOT NULL,
            finished_at REAL,
            as_of REAL NOT NULL,
            window TEXT NOT NULL,
            model TEXT NOT NULL,
            model_hash TEXT NOT NULL,
            zones_hash TEXT NOT NULL,
            incident_revision INTEGER NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('full', 'incremental')),
            status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'abandoned')),
            selected INTEGER NOT NULL DEFAULT 0,
            scored INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            recomputed INTEGER NOT NULL DEFAULT 0,
            reused INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE scores (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            movement_id TEXT NOT NULL,
            route_id TEXT NOT NULL,
            route_hash TEXT NOT NULL,
            evaluated_at REAL NOT NULL,
            length_km REAL NOT NULL,
            exposure REAL NOT NULL,
            base_exposure REAL NOT NULL,
            incident_exposure REAL NOT NULL,
            mean_hazard REAL NOT NULL,
            peak_hazard REAL NOT NULL,
            peak_at_km REAL NOT NULL,
            peak_lon REAL NOT NULL,
            peak_lat REAL NOT NULL,
            score REAL NOT NULL,
            band TEXT NOT NULL,
            zones TEXT NOT NULL,
            top_incidents TEXT NOT NULL,
            how TEXT NOT NULL CHECK (how IN ('full', 'updated', 'reused')),
            PRIMARY KEY (run_id, movement_id)
        );
        CREATE TABLE failures (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            movement_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (run_id, movement_id)
        );
        """,
        // 2: each score keeps its route's hazard profile, for incremental updates.
        """
        ALTER TABLE scores ADD COLUMN profile BLOB;
        """,
        // 3: routes keep their lines in binary too, read far faster than GeoJSON; a change to the
        // GeoJSON alone (by hand, say) drops the binary copy so the two never disagree.
        """
        ALTER TABLE routes ADD COLUMN lines BLOB;
        CREATE TRIGGER routes_geometry_changed AFTER UPDATE OF geometry ON routes
        WHEN NEW.lines IS OLD.lines
        BEGIN
            UPDATE routes SET lines = NULL WHERE id = NEW.id;
        END;
        """,
        // 4: each run keeps what its scores rest on (`RunBasisJSON`). Runs recorded before have
        // none, which the column says explicitly (`RunBasisJSON.unrecorded`), so that a NULL is a
        // damaged row.
        """
        ALTER TABLE runs ADD COLUMN basis TEXT;
        UPDATE runs SET basis = 'unrecorded';
        """,
    ]
}

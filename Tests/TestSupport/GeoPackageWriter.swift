import CSQLite
import Foundation

/// Writes GeoPackages laid out as GDAL's `ogr2ogr -f GPKG` lays them out (its table definitions,
/// the three default spatial reference systems, `application_id` 'GPKG' and `user_version`
/// 10300), with geometry blobs built byte by byte here, independently of the reader.
public final class GeoPackageWriter {
    private var handle: OpaquePointer?
    public let url: URL

    public init(_ url: URL) throws {
        self.url = url
        guard sqlite3_open(url.path, &handle) == SQLITE_OK else { throw Failure("cannot create \(url.path)") }
        try exec("""
            PRAGMA application_id = 1196444487;
            PRAGMA user_version = 10300;
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
              organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
            INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
              description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
              CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
              srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
              CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
              CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
              CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
            """)
    }

    deinit {
        sqlite3_close(handle)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public func exec(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure("\(String(cString: sqlite3_errmsg(handle))) in \(sql.prefix(200))")
        }
    }

    /// Adds the projected CRS UTM zone 43N (Pakistan east of 72E) as GDAL records it.
    public func addUTM43N() throws {
        try exec("""
            INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / UTM zone 43N', 32643, 'EPSG', 32643,
              'PROJCS["WGS 84 / UTM zone 43N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",75],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AUTHORITY["EPSG","32643"]]', NULL);
            """)
    }

    /// A feature table as GDAL creates it: `fid` INTEGER PRIMARY KEY AUTOINCREMENT, the geometry
    /// column `geom`, then `columns` (name and SQL type), registered in gpkg_contents and
    /// gpkg_geometry_columns; with an rtree index when `rtree` (GDAL's default).
    public func addLayer(_ table: String, type: String, srsID: Int, columns: [(String, String)] = [], rtree: Bool = false) throws {
        let extra = columns.map { ", \"\($0.0)\" \($0.1)" }.joined()
        try exec("""
            CREATE TABLE "\(table)" ( "fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "geom" \(type)\(extra));
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('\(table)', 'features', '\(table)', \(srsID));
            INSERT INTO gpkg_geometry_columns VALUES ('\(table)', 'geom', '\(type)', \(srsID), 0, 0);
            """)
        if rtree {
            try exec("""
                CREATE VIRTUAL TABLE "rtree_\(table)_geom" USING rtree(id, minx, maxx, miny, maxy);
                """)
        }
    }

    /// Inserts one feature: `values` bound in order to `columns` (Int, Double, String, [UInt8] or nil).
    public func insert(_ table: String, _ columns: [String], _ values: [Any?]) throws {
        let sql = "INSERT INTO \"\(table)\" (" + columns.map { "\"\($0)\"" }.joined(separator: ", ") + ") VALUES ("
            + columns.map { _ in "?" }.joined(separator: ", ") + ")"
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw Failure(String(cString: sqlite3_errmsg(handle))) }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case let n as Int: sqlite3_bind_int64(statement, index, Int64(n))
            case let x as Double: sqlite3_bind_double(statement, index, x)
            case let text as String: sqlite3_bind_text(statement, index, text, -1, transient)
            case let bytes as [UInt8]: _ = bytes.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
            default: sqlite3_bind_null(statement, index)
            }
        }
        guard sqlite3_step(statement) == SQLITE_DONE else { throw Failure(String(cString: sqlite3_errmsg(handle))) }
    }
}

/// WKB and GeoPackage geometry blobs, written from the specifications (OGC 06-103 for WKB with
/// ISO's Z/M codes, OGC 12-128 2.1.3 for the header).
public enum GPKGBlob {
    /// `value` in 4 or 8 bytes of the given order.
    public static func uint32(_ value: UInt32, bigEndian: Bool) -> [UInt8] {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        return bigEndian ? bytes.reversed() : bytes
    }

    public static func double(_ value: Double, bigEndian: Bool) -> [UInt8] {
        let bits = value.bitPattern
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
        return bigEndian ? bytes.reversed() : bytes
    }

    /// A WKB LineString; `extra` ordinates (Z, M or both, any values) follow each x, y, and `type`
    /// is the WKB type code (2, or ISO's 1002, 2002, 3002).
    public static func lineString(_ points: [(Double, Double)], bigEndian: Bool, type: UInt32 = 2, extra: [Double] = []) -> [UInt8] {
        var bytes: [UInt8] = [bigEndian ? 0 : 1] + uint32(type, bigEndian: bigEndian) + uint32(UInt32(points.count), bigEndian: bigEndian)
        for (x, y) in points {
            bytes += double(x, bigEndian: bigEndian) + double(y, bigEndian: bigEndian)
            for value in extra { bytes += double(value, bigEndian: bigEndian) }
        }
        return bytes
    }

    /// A WKB MultiLineString of the given (already encoded) line strings.
    public static func multiLineString(_ lines: [[UInt8]], bigEndian: Bool, type: UInt32 = 5) -> [UInt8] {
        [bigEndian ? 0 : 1] + uint32(type, bigEndian: bigEndian) + uint32(UInt32(lines.count), bigEndian: bigEndian) + lines.flatMap { $0 }
    }

    public static func point(_ x: Double, _ y: Double, bigEndian: Bool = false) -> [UInt8] {
        [bigEndian ? 0 : 1] + uint32(1, bigEndian: bigEndian) + double(x, bigEndian: bigEndian) + double(y, bigEndian: bigEndian)
    }

    /// The GeoPackage header and `wkb`: `envelope` [minx, maxx, miny, maxy] (kind 1) or none,
    /// header values little- or big-endian, the empty flag when `empty`.
    public static func geometry(_ wkb: [UInt8], srsID: Int32 = 4326, headerBigEndian: Bool = false,
                         envelope: [Double]? = nil, empty: Bool = false, version: UInt8 = 0) -> [UInt8] {
        var flags: UInt8 = headerBigEndian ? 0 : 1
        if envelope != nil { flags |= 1 << 1 }
        if empty { flags |= 1 << 4 }
        var bytes: [UInt8] = [0x47, 0x50, version, flags] + uint32(UInt32(bitPattern: srsID), bigEndian: headerBigEndian)
        for value in envelope ?? [] { bytes += double(value, bigEndian: headerBigEndian) }
        return bytes + wkb
    }
}

import CSQLite
import Foundation
import Geo
import RiskCore

/// Routes from the line layers of a GeoPackage (OGC 12-128, the format `ogr2ogr -f GPKG` and QGIS
/// write): every feature table that `gpkg_geometry_columns` declares as LINESTRING or
/// MULTILINESTRING (or a generic GEOMETRY, whose non-line features are bad items). Point and polygon
/// layers are not routes and are passed over; a file without a line layer is an error.
///
/// Each feature's geometry is a GeoPackage binary blob (the `GP` header, then WKB in either byte
/// order, Z and M dropped), read by GEOS. Layers in another CRS than WGS84 longitude/latitude are
/// transformed with PROJ from the CRS `gpkg_spatial_ref_sys` names. A route's id is its `id`
/// column when the table has one, its name the `name` column, its departure a `departs_at` column
/// (ISO 8601 text); a route without an id is named after its file and numbered by its feature id
/// (the table's integer primary key, `fid` in GDAL's files), with the table's name in between
/// when the file has several line layers.
///
/// The file is opened read-only and never written. A file that is not a GeoPackage (not SQLite,
/// or without its tables) is an `InputError`; a bad feature is named by table and fid.
struct GeoPackageRouteReader {
    let file: String
    private let database: ReadOnlySQLite
    private let zoneless: DateParser.ZonelessTime

    /// SQLite's 16-byte file header, which every GeoPackage starts with.
    static func isSQLite(_ bytes: Data) -> Bool {
        bytes.starts(with: Array("SQLite format 3\0".utf8))
    }

    /// The GeoPackage file at `path`, opened read-only where it is.
    init(path: String, file: String, zoneless: DateParser.ZonelessTime) throws(InputError) {
        self.file = file
        self.zoneless = zoneless
        do {
            database = try ReadOnlySQLite(path: path)
        } catch {
            throw InputError(file: file, reason: "cannot open as a GeoPackage: \(error.message)")
        }
    }

    /// A GeoPackage whose bytes are in memory (standard input, an upload), read as a read-only
    /// database without writing them anywhere.
    init(bytes: Data, file: String, zoneless: DateParser.ZonelessTime) throws(InputError) {
        self.file = file
        self.zoneless = zoneless
        do {
            database = try ReadOnlySQLite(bytes: bytes)
        } catch {
            throw InputError(file: file, reason: "cannot open as a GeoPackage: \(error.message)")
        }
    }

    /// One feature table with a geometry column, as `gpkg_geometry_columns` declares it.
    private struct Layer {
        var table: String
        var geometryColumn: String
        var geometryType: String
        var srsID: Int64

        /// LINESTRING and MULTILINESTRING layers hold routes; a generic GEOMETRY or
        /// GEOMETRYCOLLECTION layer may, feature by feature.
        var mayHoldLines: Bool {
            ["LINESTRING", "MULTILINESTRING", "GEOMETRY", "GEOMETRYCOLLECTION"].contains(geometryType.uppercased())
        }
    }

    /// Every route of every line layer, in the order of `gpkg_contents` and then of feature ids.
    func items() throws(InputError) -> [RouteItem] {
        let layers = try featureLayers()
        let lineLayers = layers.filter(\.mayHoldLines)
        guard !lineLayers.isEmpty else {
            let found = layers.isEmpty ? "no feature layer" : "no line layer (its layers: "
                + layers.map { "\"\($0.table)\" \($0.geometryType)" }.joined(separator: ", ") + ")"
            throw InputError(file: file, reason: "has \(found); routes are LINESTRING or MULTILINESTRING layers")
        }
        var items: [RouteItem] = []
        for layer in lineLayers {
            items += try routes(of: layer, numberedWithTable: lineLayers.count > 1)
        }
        return items
    }

    private func featureLayers() throws(InputError) -> [Layer] {
        let rows = try query("""
            SELECT g.table_name, g.column_name, g.geometry_type_name, g.srs_id
            FROM gpkg_contents AS c JOIN gpkg_geometry_columns AS g ON g.table_name = c.table_name
            WHERE c.data_type = 'features' ORDER BY c.rowid
            """, what: "its tables gpkg_contents and gpkg_geometry_columns (is it a GeoPackage?)")
        var layers: [Layer] = []
        for row in rows {
            guard case .text(let table) = row[0], case .text(let column) = row[1], case .text(let type) = row[2],
                  case .integer(let srsID) = row[3] else {
                throw InputError(file: file, location: "gpkg_geometry_columns", reason: "a row is not (text, text, text, integer): \(row)")
            }
            layers.append(Layer(table: table, geometryColumn: column, geometryType: type, srsID: srsID))
        }
        return layers
    }

    private func routes(of layer: Layer, numberedWithTable: Bool) throws(InputError) -> [RouteItem] {
        let table = layer.table
        let columns = try query("PRAGMA table_info(\(quoted(table)))", what: "the columns of table \"\(table)\"")
        // (cid, name, type, notnull, dflt_value, pk)
        let names = columns.compactMap { row -> (name: String, type: String, pk: Int64)? in
            guard case .text(let name) = row[1], case .text(let type) = row[2], case .integer(let pk) = row[5] else { return nil }
            return (name, type, pk)
        }
        let keys = names.filter { $0.pk > 0 }
        guard keys.count == 1, let fid = keys.first, fid.type.uppercased() == "INTEGER" else {
            throw InputError(file: file, location: "table \"\(table)\"",
                             reason: "has no INTEGER PRIMARY KEY column (the feature id, fid), which a GeoPackage feature table must have")
        }
        func column(_ wanted: String) -> String? {
            names.first { $0.name.lowercased() == wanted && $0.name != layer.geometryColumn && $0.name != fid.name }?.name
        }
        let optional = ["id", "name", "departs_at"].map(column)
        let selected = [fid.name, layer.geometryColumn] + optional.map { $0 ?? "NULL" }
        let sql = "SELECT " + selected.enumerated().map { $0 < 2 || optional[$0 - 2] != nil ? quoted($1) : $1 }.joined(separator: ", ")
            + " FROM \(quoted(table)) ORDER BY \(quoted(fid.name))"
        let rows = try query(sql, what: "the features of table \"\(table)\"")
        let transform = try crs(of: layer)
        let context: GeometryContext
        do {
            context = try GeometryContext()
        } catch {
            throw InputError(file: file, reason: "\(error)")
        }

        return rows.map { row in
            let fidValue: String = if case .integer(let n) = row[0] { "\(n)" } else { "\(row[0])" }
            let location = "table \"\(table)\" fid \(fidValue)"
            var item = RouteItem(id: nil, location: location, number: numberedWithTable ? "\(table)-\(fidValue)" : fidValue,
                                 shape: .failure(ItemProblem("not read")))
            do throws(ItemProblem) {
                item.id = try text(row[2], field: "id")
                item.name = try text(row[3], field: "name")
                item.departsAt = try text(row[4], field: "departs_at").map { text throws(ItemProblem) in
                    try RouteReader.departure(text, parser: DateParser(zoneless: zoneless))
                }
                var shape = try geometry(row[1], layer: layer, context: context)
                if let transform { shape = try transform.toWGS84(shape) }
                item.shape = .success(shape)
            } catch {
                item.shape = .failure(error)
            }
            return item
        }
    }

    /// A text or number column as text (blank: nil); a blob is a mistake.
    private func text(_ value: ReadOnlySQLite.Value, field: String) throws(ItemProblem) -> String? {
        switch value {
        case .null: return nil
        case .integer(let n): return "\(n)"
        case .real(let x): return FeatureFile.numberText(x)
        case .text(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        case .blob(let bytes): throw ItemProblem(field: field, "must be text or a number, got a blob of \(bytes.count) bytes")
        }
    }

    // MARK: Coordinate systems

    /// How a layer's coordinates become WGS84 longitude/latitude; nil when they already are.
    private struct CRSTransform {
        var name: String
        var transformer: Transformer

        func toWGS84(_ shape: Shape) throws(ItemProblem) -> Shape {
            do {
                return try transformer.transform(shape)
            } catch {
                throw ItemProblem(field: "geometry", "cannot be transformed from \(name) to WGS84: \(error)")
            }
        }
    }

    private func crs(of layer: Layer) throws(InputError) -> CRSTransform? {
        let location = "table \"\(layer.table)\""
        // GeoPackage reserves 0 for undefined geographic coordinates and -1 for undefined Cartesian ones.
        if layer.srsID == 4326 || layer.srsID == 0 { return nil }
        if layer.srsID == -1 {
            throw InputError(file: file, location: location, field: "srs_id",
                             reason: "is -1 (undefined Cartesian coordinates), which cannot be placed on the earth; assign the layer's CRS, e.g. with ogr2ogr -a_srs")
        }
        let rows = try query("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = \(layer.srsID)",
                             what: "the table gpkg_spatial_ref_sys")
        guard let row = rows.first else {
            throw InputError(file: file, location: location, field: "srs_id",
                             reason: "is \(layer.srsID), which gpkg_spatial_ref_sys does not define")
        }
        let organization: String? = if case .text(let text) = row[0] { text.uppercased() } else { nil }
        let code: Int64? = if case .integer(let n) = row[1] { n } else { nil }
        if organization == "EPSG", code == 4326 { return nil }
        let name = organization.flatMap { org in code.map { "\(org):\($0)" } }
        let definition: String? = if case .text(let text) = row[2], text.lowercased() != "undefined" { text } else { nil }
        // PROJ knows EPSG codes by name; other organisations' CRSs are given by their WKT.
        guard let source = (organization == "EPSG" ? name : nil) ?? definition else {
            throw InputError(file: file, location: location, field: "srs_id",
                             reason: "is \(layer.srsID) (\(name ?? "unnamed")), which has no definition to transform it to WGS84 with")
        }
        do {
            return CRSTransform(name: name ?? "srs_id \(layer.srsID)", transformer: try Transformer(from: source, to: "EPSG:4326"))
        } catch {
            throw InputError(file: file, location: location, field: "srs_id",
                             reason: "is \(layer.srsID) (\(name ?? "unnamed")), which cannot be transformed to WGS84: \(error)")
        }
    }

    // MARK: Geometry blobs

    /// A GeoPackage geometry blob as a shape in the layer's CRS. The header (OGC 12-128 2.1.3):
    /// `GP`, a version byte (0 for 1.x), a flags byte (bit 0: the header's byte order, 1 = little
    /// endian; bits 1-3: the envelope's kind, 0 to 4; bit 4: empty; bit 5: an extended geometry),
    /// the srs_id as an int32, the envelope (0, 32, 48, 48 or 64 bytes), then WKB.
    private func geometry(_ value: ReadOnlySQLite.Value, layer: Layer, context: GeometryContext) throws(ItemProblem) -> Shape {
        guard case .blob(let blob) = value else {
            if case .null = value { throw ItemProblem(field: "geometry", "is missing (NULL)") }
            throw ItemProblem(field: "geometry", "must be a GeoPackage geometry blob, got \(value)")
        }
        guard blob.count >= 8 else { throw ItemProblem(field: "geometry", "is \(blob.count) bytes, too short for a GeoPackage geometry header") }
        guard blob[0] == 0x47, blob[1] == 0x50 else {
            throw ItemProblem(field: "geometry", "does not start with the GeoPackage magic \"GP\" (bytes \(hex(blob.prefix(2))))")
        }
        guard blob[2] == 0 else { throw ItemProblem(field: "geometry", "has GeoPackage binary version \(blob[2]); only version 0 (1.x) is read") }
        let flags = blob[3]
        guard flags & 0x20 == 0 else { throw ItemProblem(field: "geometry", "is an extended GeoPackage geometry, which RouteRisk does not read") }
        let envelopeKind = Int(flags >> 1) & 0x07
        let envelopeSizes = [0, 32, 48, 48, 64]
        guard envelopeKind < envelopeSizes.count else {
            throw ItemProblem(field: "geometry", "has envelope indicator \(envelopeKind); only 0 to 4 are defined")
        }
        let srsBytes = blob[4..<8]
        let srsID = flags & 0x01 == 1
            ? srsBytes.reversed().reduce(Int32(0)) { $0 << 8 | Int32($1) }
            : srsBytes.reduce(Int32(0)) { $0 << 8 | Int32($1) }
        guard Int64(srsID) == layer.srsID else {
            throw ItemProblem(field: "geometry", "has srs_id \(srsID), but its layer's is \(layer.srsID)")
        }
        if flags & 0x10 != 0 { throw ItemProblem(field: "geometry", "is empty") }
        let start = 8 + envelopeSizes[envelopeKind]
        guard blob.count > start else {
            throw ItemProblem(field: "geometry", "is \(blob.count) bytes, ending inside its header (\(start) bytes with the envelope)")
        }
        // A vertex takes at most 32 bytes of WKB (XYZM) and each line part 9 more, so a blob
        // beyond 40 bytes a vertex cannot be within the vertex limit: refused before GEOS
        // spends memory on it.
        guard blob.count - start <= 40 * Limits.vertices + 64 else {
            throw ItemProblem(field: "geometry", "is \(blob.count) bytes, more than the limit of \(Limits.vertices) vertices can take")
        }
        let shape: Shape
        do {
            shape = try Geometry(wkb: Array(blob[start...]), in: context).shape()
        } catch {
            throw ItemProblem(field: "geometry", "is not valid WKB after its GeoPackage header: \(error)")
        }
        if shape.coordinates.isEmpty { throw ItemProblem(field: "geometry", "is empty") }
        return shape
    }

    private func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
    }

    // MARK: SQL

    /// An identifier quoted for SQL: table and column names come from the file.
    private func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func query(_ sql: String, what: String) throws(InputError) -> [[ReadOnlySQLite.Value]] {
        do {
            return try database.rows(sql)
        } catch {
            throw InputError(file: file, reason: "cannot read \(what): \(error.message)")
        }
    }
}

/// A database opened read-only, for reading files made by other programs (GeoPackages): only
/// queries, every value in the type SQLite holds it in. The store's own connection is
/// `SQLiteDatabase` in RiskSQLite, which reads and writes.
final class ReadOnlySQLite {
    enum Value: Equatable, CustomStringConvertible {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])

        var description: String {
            switch self {
            case .null: "NULL"
            case .integer(let n): "integer \(n)"
            case .real(let x): "real \(x)"
            case .text(let text): "text \"\(text.prefix(40))\""
            case .blob(let bytes): "a blob of \(bytes.count) bytes"
            }
        }
    }

    struct Failure: Error {
        var message: String
    }

    private let handle: OpaquePointer

    /// Opens the file at `path` with SQLITE_OPEN_READONLY (the flag form of `mode=ro`, which
    /// needs no URI escaping of the path): nothing is created or written, not even a journal.
    init(path: String) throws(Failure) {
        handle = try ReadOnlySQLite.open(path, SQLITE_OPEN_READONLY)
    }

    /// A database made of `bytes`, read-only, in memory.
    init(bytes: Data) throws(Failure) {
        handle = try ReadOnlySQLite.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        // SQLite frees the copy when the connection closes (FREEONCLOSE) and never grows it.
        guard let copy = sqlite3_malloc64(UInt64(max(bytes.count, 1))) else {
            sqlite3_close_v2(handle)
            throw Failure(message: "out of memory for \(bytes.count) bytes")
        }
        let buffer = copy.assumingMemoryBound(to: UInt8.self)
        bytes.copyBytes(to: buffer, count: bytes.count)
        // Bytes 18 and 19 of the header say 2 for a file in WAL mode, which an in-memory database
        // cannot open; the bytes hold the whole database (no log came with them), so they are
        // read as the rollback-journal file they otherwise are.
        if bytes.count >= 20, buffer[18] == 2, buffer[19] == 2 {
            buffer[18] = 1
            buffer[19] = 1
        }
        let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY)
        let status = sqlite3_deserialize(handle, "main", buffer, Int64(bytes.count), Int64(bytes.count), flags)
        guard status == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(handle))
            sqlite3_close_v2(handle)
            throw Failure(message: message)
        }
    }

    private static func open(_ path: String, _ flags: Int32) throws(Failure) -> OpaquePointer {
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            var message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            // SQLite's "unable to open database file" says less than the system's reason.
            if let db, sqlite3_system_errno(db) != 0 { message += " (\(String(cString: strerror(sqlite3_system_errno(db)))))" }
            if let db { sqlite3_close_v2(db) }
            throw Failure(message: message)
        }
        return db
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Every row of a query without parameters.
    func rows(_ sql: String) throws(Failure) -> [[Value]] {
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard prepared == SQLITE_OK, let statement else { throw Failure(message: String(cString: sqlite3_errmsg(handle))) }
        defer { sqlite3_finalize(statement) }
        var rows: [[Value]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw Failure(message: String(cString: sqlite3_errmsg(handle))) }
            rows.append((0..<sqlite3_column_count(statement)).map { value(statement, $0) })
        }
    }

    private func value(_ statement: OpaquePointer, _ column: Int32) -> Value {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let pointer = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let pointer = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }
}

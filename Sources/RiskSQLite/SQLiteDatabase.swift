import CSQLite
import Foundation

/// An SQLite failure, with SQLite's own message and the statement it came from.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String?
    var description: String {
        guard let sql else { return "SQLite error \(code): \(message)" }
        return "SQLite error \(code): \(message) (in: \(sql.prefix(120)))"
    }
}

/// The SQLITE_TRANSIENT destructor: SQLite copies bound text and blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A value bound to, or read from, an SQL statement.
enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value when it is an integer; nil for any other type (no conversion).
    var int: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
    /// The value when it is text; nil for any other type (no conversion).
    var string: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

protocol SQLConvertible { var sqlValue: SQLValue { get } }
extension Int: SQLConvertible { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLConvertible { var sqlValue: SQLValue { .integer(self) } }
/// Not-a-number and the infinities bind as NULL, which every number column refuses.
extension Double: SQLConvertible { var sqlValue: SQLValue { isFinite ? .real(self) : .null } }
extension String: SQLConvertible { var sqlValue: SQLValue { .text(self) } }
extension SQLValue: SQLConvertible { var sqlValue: SQLValue { self } }
extension Optional: SQLConvertible where Wrapped: SQLConvertible {
    var sqlValue: SQLValue {
        switch self {
        case .some(let value): value.sqlValue
        case .none: .null
        }
    }
}

/// One row of a query, by column name; a name the query did not return reads as nil.
struct SQLRow {
    var columns: [String: SQLValue]
    subscript(name: String) -> SQLValue? { columns[name] }
}

/// A connection to one SQLite database file. Like the GEOS and PROJ handles, it belongs to one
/// thread at a time (not `Sendable`); SQLite itself serialises writers across processes.
/// Internal: only `SQLiteStore` (and tests, through `@testable import`) write SQL.
final class SQLiteDatabase {
    private let handle: OpaquePointer
    let path: String
    /// Whether SQLite opened the file read-only (asked for, as SQLite reports it).
    let readOnly: Bool
    private var statements: [String: OpaquePointer] = [:]
    /// True inside `transaction`, whose nested calls join the open transaction.
    private var inTransaction = false

    /// With `readOnly`, SQLite opens the file with SQLITE_OPEN_READONLY: any write is refused by
    /// SQLite itself, so a reader never changes the file it was given. `immutable` (read-only
    /// only) reads the file as SQLite's `immutable` URI parameter says: without locks and without
    /// the -wal and -shm companions.
    init(path: String, create: Bool = true, readOnly: Bool = false, immutable: Bool = false) throws {
        precondition(readOnly || !immutable, "only a read-only database can be immutable")
        var db: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0)
        let flags = access | SQLITE_OPEN_NOMUTEX | (immutable ? SQLITE_OPEN_URI : 0)
        // A file URL escapes what a URI would read as its query or fragment (`?`, `#`, `%`).
        let name = immutable ? URL(fileURLWithPath: path).absoluteString + "?immutable=1" : path
        let status = sqlite3_open_v2(name, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: status, message: "\(path): \(message)", sql: nil)
        }
        handle = db
        self.path = path
        self.readOnly = sqlite3_db_readonly(db, "main") == 1
        // Another process (a second batch, an import) may hold the write lock for a while.
        sqlite3_busy_timeout(db, 30_000)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    private func error(_ code: Int32, _ sql: String?) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw SQLiteError(code: status, message: text, sql: sql)
        }
    }

    /// A cached prepared statement for `sql`, reset and with its bindings cleared.
    private func prepare(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status, sql) }
        statements[sql] = statement
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ values: [SQLConvertible], _ sql: String) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value.sqlValue {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let v): status = sqlite3_bind_int64(statement, index, v)
            case .real(let v): status = sqlite3_bind_double(statement, index, v)
            case .text(let v):
                // With its length in bytes: with -1, SQLite would cut the text at a NUL inside it.
                var text = v
                status = text.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(statement, index, $0.baseAddress, Int32(utf8.count), transient) }
                }
            case .blob(let v):
                status = v.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
            }
            guard status == SQLITE_OK else { throw error(status, sql) }
        }
    }

    /// Runs a statement with bound parameters; returns the number of rows changed.
    @discardableResult
    func run(_ sql: String, _ values: SQLConvertible...) throws -> Int {
        try run(sql, values)
    }

    @discardableResult
    func run(_ sql: String, _ values: [SQLConvertible]) throws -> Int {
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        var status = sqlite3_step(statement)
        while status == SQLITE_ROW { status = sqlite3_step(statement) }
        guard status == SQLITE_DONE else { throw error(status, sql) }
        return Int(sqlite3_changes(handle))
    }

    /// Rows of a query, each handed to `body` as it is read.
    func forEach(_ sql: String, _ values: [SQLConvertible] = [], _ body: (SQLRow) throws -> Void) throws {
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        // The columns are read after the first step: a cached statement whose tables another
        // connection has altered is prepared again inside `sqlite3_step`, and `SELECT *` may
        // then have other columns than before.
        var names: [String]?
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, sql) }
            let columnNames = names ?? (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
            names = columnNames
            var columns: [String: SQLValue] = [:]
            for (column, name) in columnNames.enumerated() { columns[name] = value(statement, Int32(column)) }
            try body(SQLRow(columns: columns))
        }
    }

    /// The value in `column` of the statement's current row, in the type SQLite holds it in.
    private func value(_ statement: OpaquePointer, _ column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            // By its length, not up to the first NUL, so a stored NUL is seen (and refused) rather
            // than silently cutting the text short.
            let length = Int(sqlite3_column_bytes(statement, column))
            guard let pointer = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, column))
            // An empty blob has no pointer.
            guard let pointer = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: length)))
        default: return .null
        }
    }

    func query(_ sql: String, _ values: SQLConvertible...) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEach(sql, values) { rows.append($0) }
        return rows
    }

    /// The first column of the first row, if any.
    func scalar(_ sql: String, _ values: SQLConvertible...) throws -> SQLValue {
        try scalar(sql, values)
    }

    func scalar(_ sql: String, _ values: [SQLConvertible]) throws -> SQLValue {
        var result = SQLValue.null
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        let status = sqlite3_step(statement)
        if status == SQLITE_ROW, sqlite3_column_count(statement) > 0 {
            result = value(statement, 0)
        } else if status != SQLITE_DONE && status != SQLITE_ROW {
            throw error(status, sql)
        }
        return result
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in one transaction (IMMEDIATE: takes the write lock up front), rolled back
    /// if it throws.
    /// Runs `body` in one transaction; a transaction begun inside it joins this one (the copy
    /// of a whole store reuses the imports, each of which is a transaction on its own).
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if inTransaction { return try body() }
        try execute("BEGIN IMMEDIATE")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

import CSQLite
import Foundation

/// An SQLite failure, with SQLite's own message and the statement it came from.
public struct SQLiteError: Error, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?
    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(120)))" } ?? "")
    }
}

/// The SQLITE_TRANSIENT destructor: SQLite copies bound text and blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A value bound to, or read from, an SQL statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var double: Double? {
        switch self {
        case .real(let v): v
        case .integer(let v): Double(v)
        default: nil
        }
    }
    public var int: Int64? {
        switch self {
        case .integer(let v): v
        case .real(let v): Int64(v)
        default: nil
        }
    }
    public var string: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    public var bytes: [UInt8]? {
        if case .blob(let b) = self { return b }
        return nil
    }
}

public protocol SQLConvertible { var sqlValue: SQLValue { get } }
extension Int: SQLConvertible { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLConvertible { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLConvertible { public var sqlValue: SQLValue { isFinite ? .real(self) : .null } }
extension String: SQLConvertible { public var sqlValue: SQLValue { .text(self) } }
extension SQLValue: SQLConvertible { public var sqlValue: SQLValue { self } }
extension Optional: SQLConvertible where Wrapped: SQLConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a query, by column name.
public struct SQLRow {
    public var columns: [String: SQLValue]
    public subscript(name: String) -> SQLValue { columns[name] ?? .null }
}

/// A connection to one SQLite database file. Like the GEOS and PROJ handles, it belongs to one
/// thread at a time (not `Sendable`); SQLite itself serialises writers across processes.
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    public let path: String
    private var statements: [String: OpaquePointer] = [:]

    public init(path: String, create: Bool = true) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: status, message: "\(path): \(message)", sql: nil)
        }
        handle = db
        self.path = path
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
    public func execute(_ sql: String) throws {
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
            case .text(let v): status = sqlite3_bind_text(statement, index, v, -1, transient)
            case .blob(let v):
                status = v.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
            }
            guard status == SQLITE_OK else { throw error(status, sql) }
        }
    }

    /// Runs a statement with bound parameters; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ values: SQLConvertible...) throws -> Int {
        try run(sql, values)
    }

    @discardableResult
    public func run(_ sql: String, _ values: [SQLConvertible]) throws -> Int {
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        var status = sqlite3_step(statement)
        while status == SQLITE_ROW { status = sqlite3_step(statement) }
        guard status == SQLITE_DONE else { throw error(status, sql) }
        return Int(sqlite3_changes(handle))
    }

    /// Rows of a query, each handed to `body` as it is read.
    public func forEach(_ sql: String, _ values: [SQLConvertible] = [], _ body: (SQLRow) throws -> Void) throws {
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        let count = sqlite3_column_count(statement)
        let names = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(status, sql) }
            var columns: [String: SQLValue] = [:]
            for column in 0..<count {
                let value: SQLValue
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: value = .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: value = .real(sqlite3_column_double(statement, column))
                case SQLITE_TEXT: value = .text(String(cString: sqlite3_column_text(statement, column)))
                case SQLITE_BLOB:
                    let length = Int(sqlite3_column_bytes(statement, column))
                    let pointer = sqlite3_column_blob(statement, column)
                    value = .blob(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? [])
                default: value = .null
                }
                columns[names[Int(column)]] = value
            }
            try body(SQLRow(columns: columns))
        }
    }

    public func query(_ sql: String, _ values: SQLConvertible...) throws -> [SQLRow] {
        var rows: [SQLRow] = []
        try forEach(sql, values) { rows.append($0) }
        return rows
    }

    /// The first column of the first row, if any.
    public func scalar(_ sql: String, _ values: SQLConvertible...) throws -> SQLValue {
        var result = SQLValue.null
        let statement = try prepare(sql)
        try bind(statement, values, sql)
        defer { sqlite3_reset(statement) }
        let status = sqlite3_step(statement)
        if status == SQLITE_ROW, sqlite3_column_count(statement) > 0 {
            switch sqlite3_column_type(statement, 0) {
            case SQLITE_INTEGER: result = .integer(sqlite3_column_int64(statement, 0))
            case SQLITE_FLOAT: result = .real(sqlite3_column_double(statement, 0))
            case SQLITE_TEXT: result = .text(String(cString: sqlite3_column_text(statement, 0)))
            default: result = .null
            }
        } else if status != SQLITE_DONE && status != SQLITE_ROW {
            throw error(status, sql)
        }
        return result
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in one transaction (IMMEDIATE: takes the write lock up front), rolled back
    /// if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
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

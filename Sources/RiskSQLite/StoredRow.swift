import Foundation
import RiskBatch

/// A row read back from one of the store's tables, decoded column by column. A column the
/// query did not return, a NULL where a value is required, a value of another type, or a number
/// that is not finite is a `StoredValueError` naming the store, the table, the row's key and the
/// column: never a zero or an empty string.
struct StoredRow {
    let store: String
    let table: String
    let values: SQLRow
    /// The columns that identify the row, for error messages.
    let key: [String]

    init(_ values: SQLRow, table: String, key: [String], store: String) {
        self.values = values
        self.table = table
        self.key = key
        self.store = store
    }

    /// The row's key as the error names it: `id "z1"`, or `run_id 3, movement_id "m1"`.
    var rowName: String {
        key.map { column in
            switch values[column] {
            case .text(let text)?: "\(column) \"\(text)\""
            case .integer(let number)?: "\(column) \(number)"
            case .real(let number)?: "\(column) \(number)"
            case .blob?: "\(column) (a blob)"
            case .null?: "\(column) NULL"
            case nil: "\(column) (missing)"
            }
        }.joined(separator: ", ")
    }

    func error(_ column: String, _ reason: String) -> StoredValueError {
        StoredValueError(store: store, table: table, row: rowName, column: column, reason: reason)
    }

    /// The column's value, or nil for NULL; a column the query did not return is an error.
    private func value(_ column: String) throws -> SQLValue? {
        guard let value = values[column] else { throw error(column, "the column is missing") }
        return value == .null ? nil : value
    }

    private func required(_ column: String, _ kind: String) throws -> SQLValue {
        guard let value = try value(column) else { throw error(column, "NULL where \(kind) is required") }
        return value
    }

    private func describe(_ value: SQLValue) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let number): "the integer \(number)"
        case .real(let number): "the number \(number)"
        case .text(let text): "the text \"\(text.prefix(40))\""
        case .blob(let bytes): "a blob of \(bytes.count) bytes"
        }
    }

    func text(_ column: String) throws -> String {
        let value = try required(column, "text")
        guard case .text(let text) = value else { throw error(column, "\(describe(value)) where text is required") }
        return text
    }

    func optionalText(_ column: String) throws -> String? {
        guard try value(column) != nil else { return nil }
        return try text(column)
    }

    /// A finite number. SQLite hands back a whole number in a REAL column as REAL, but a computed
    /// or INTEGER column as INTEGER, so both types are numbers here.
    func real(_ column: String) throws -> Double {
        let value = try required(column, "a number")
        let number: Double
        switch value {
        case .real(let real): number = real
        case .integer(let integer): number = Double(integer)
        default: throw error(column, "\(describe(value)) where a number is required")
        }
        guard number.isFinite else { throw error(column, "\(number) where a finite number is required") }
        return number
    }

    func optionalReal(_ column: String) throws -> Double? {
        guard try value(column) != nil else { return nil }
        return try real(column)
    }

    func integer(_ column: String) throws -> Int {
        let value = try required(column, "an integer")
        guard case .integer(let integer) = value else { throw error(column, "\(describe(value)) where an integer is required") }
        return Int(integer)
    }

    /// Times are kept as seconds since 1970.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try real(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalReal(column).map(Date.init(timeIntervalSince1970:))
    }

    func optionalBlob(_ column: String) throws -> [UInt8]? {
        guard let value = try value(column) else { return nil }
        guard case .blob(let bytes) = value else { throw error(column, "\(describe(value)) where a blob is required") }
        return bytes
    }

    /// Text that must be one of an enumeration's raw values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ column: String, as _: Choice.Type) throws -> Choice
    where Choice.RawValue == String {
        let raw = try text(column)
        guard let choice = Choice(rawValue: raw) else {
            throw error(column, "\"\(raw)\" is not one of " + Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return choice
    }
}

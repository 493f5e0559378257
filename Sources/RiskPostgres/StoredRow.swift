import Foundation
import PostgresNIO
import RiskBatch

/// A row read back from one of the store's tables, decoded column by column. A column the
/// query did not return, a NULL where a value is required, a value of another type or a number
/// that is not finite is a `StoredValueError` naming the store, the table, the row's key and the
/// column: never a zero or an empty string.
struct StoredRow {
    let store: String
    let table: String
    private let values: PostgresRandomAccessRow
    /// The columns that identify the row, for error messages.
    let key: [String]

    init(_ row: PostgresRow, table: String, key: [String] = ["id"], store: String) {
        values = row.makeRandomAccess()
        self.table = table
        self.key = key
        self.store = store
    }

    /// The row's key as errors name it: `id "z1"`, or `run_id 3, movement_id "m1"`.
    var rowName: String {
        key.map { column in
            guard values.contains(column) else { return "\(column) (missing)" }
            let cell = values[column]
            if cell.bytes == nil { return "\(column) NULL" }
            // Numbers first: postgres-nio would read an integer's bytes as text.
            if [.int2, .int4, .int8].contains(cell.dataType), let number = try? cell.decode(Int64.self) { return "\(column) \(number)" }
            if let text = try? cell.decode(String.self) { return "\(column) \"\(text)\"" }
            return "\(column) (\(cell.dataType))"
        }.joined(separator: ", ")
    }

    func error(_ column: String, _ reason: String) -> StoredValueError {
        StoredValueError(store: store, table: table, row: rowName, column: column, reason: reason)
    }

    /// The column's cell, or nil for NULL; a column the query did not return is an error.
    private func cell(_ column: String) throws -> PostgresCell? {
        guard values.contains(column) else { throw error(column, "the column is missing") }
        let cell = values[column]
        return cell.bytes == nil ? nil : cell
    }

    private func decode<T: PostgresDecodable>(_ column: String, as type: T.Type, _ kind: String) throws -> T? {
        guard let cell = try cell(column) else { return nil }
        do {
            return try cell.decode(T.self)
        } catch {
            throw self.error(column, "a value of type \(cell.dataType) where \(kind) is required")
        }
    }

    private func required<T>(_ value: T?, _ column: String, _ kind: String) throws -> T {
        guard let value else { throw error(column, "NULL where \(kind) is required") }
        return value
    }

    func optionalText(_ column: String) throws -> String? { try decode(column, as: String.self, "text") }

    func text(_ column: String) throws -> String { try required(optionalText(column), column, "text") }

    func optionalReal(_ column: String) throws -> Double? {
        guard let value = try decode(column, as: Double.self, "a number") else { return nil }
        guard value.isFinite else { throw error(column, "\(value) where a finite number is required") }
        return value
    }

    func real(_ column: String) throws -> Double { try required(optionalReal(column), column, "a number") }

    func integer(_ column: String) throws -> Int { Int(try required(decode(column, as: Int64.self, "an integer"), column, "an integer")) }

    /// A time column read as `SQL.epoch(column)`: seconds since 1970.
    func optionalDate(_ column: String) throws -> Date? { try optionalReal(column).map(Date.init(timeIntervalSince1970:)) }

    func date(_ column: String) throws -> Date { try required(optionalDate(column), column, "a time") }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        try decode(column, as: ByteBuffer.self, "bytes").map { Array($0.readableBytesView) }
    }

    func bytes(_ column: String) throws -> [UInt8] { try required(optionalBytes(column), column, "bytes") }

    /// Text that must be one of an enumeration's raw values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ column: String, as _: Choice.Type) throws -> Choice
    where Choice.RawValue == String {
        let raw = try text(column)
        guard let choice = Choice(rawValue: raw) else {
            throw error(column, "\"\(raw)\" is not one of " + Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        return choice
    }

    /// Runs a decoding step of a column's value (a geometry, a JSON list) so that its failure
    /// names the row and column.
    func parse<T>(_ column: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoredValueError {
            throw error
        } catch {
            throw self.error(column, "does not parse: \(error)")
        }
    }
}

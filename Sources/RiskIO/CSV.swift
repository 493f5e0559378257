import Foundation

/// One CSV record and the line of the file it starts on (1-based; the header is line 1), so that a
/// warning can send the user to the right place even when quoted fields span several lines.
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// A parsed CSV file: its header and every later record, whatever its width.
public struct CSVTable: Sendable, Equatable {
    public var file: String
    public var header: [String]
    public var headerLine: Int
    /// Every record after the header, including those whose width differs from the header's.
    public var records: [CSVRecord]

    public init(file: String, header: [String], headerLine: Int = 1, records: [CSVRecord]) {
        self.file = file
        self.header = header
        self.headerLine = headerLine
        self.records = records
    }

    /// The index of the first header equal to `name`, ignoring case and surrounding blanks.
    public func column(named name: String) -> Int? {
        let wanted = CSVTable.normalise(name)
        return header.firstIndex { CSVTable.normalise($0) == wanted }
    }

    static func normalise(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The records as wide as the header. A record of another width is a bad row: skipped with a
    /// warning, or thrown when `strict`.
    public func rows(strict: Bool) throws -> ReadResult<CSVRecord> {
        var problems = Problems(strict: strict)
        var rows: [CSVRecord] = []
        for record in records {
            if record.fields.count == header.count {
                rows.append(record)
            } else {
                try problems.reject(Diagnostic(
                    file: file, location: "line \(record.line)",
                    reason: "has \(record.fields.count) fields, the header has \(header.count)"))
            }
        }
        return ReadResult(items: rows, warnings: problems.warnings)
    }
}

/// RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a field in double quotes may
/// hold commas, line breaks and doubled quotes (`""` for one `"`).
///
/// Lenient where the RFC is silent and real exports stray: a quote inside an unquoted field, or
/// text after a closing quote, is kept literally; a lone CR also ends a line; blank lines
/// (anywhere, not only at the end) are skipped rather than read as one-field records.
public struct CSVReader: Sendable {
    public var file: String

    /// `file` names the source in diagnostics.
    public init(file: String) {
        self.file = file
    }

    public func read(contentsOf url: URL) throws -> CSVTable {
        var reader = self
        reader.file = InputFile.name(url)
        return try reader.parse(InputFile.text(url))
    }

    /// The table; an InputError when there is no header or a quoted field never closes (the rest
    /// of the file would be swallowed into it, so no row after it can be trusted).
    public func parse(_ text: String) throws -> CSVTable {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoteStartLine = 0
        var inQuotes = false
        var fieldWasQuoted = false
        // Whether the current record has any content, so a blank line is not mistaken for a record.
        var recordStarted = false

        // Leading byte order marks are dropped here too, not only when bytes are decoded: text
        // handed over in memory may still carry them, and a second BOM would otherwise become
        // part of the first header's name and hide the `id` column.
        var scalars = text.unicodeScalars.drop(while: { $0 == "\u{FEFF}" }).makeIterator()
        var pending: Unicode.Scalar? = nil

        func endRecord() {
            if recordStarted {
                fields.append(String(field))
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
            field = String.UnicodeScalarView()
            fieldWasQuoted = false
            recordStarted = false
        }

        while let scalar = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                switch scalar {
                case "\"":
                    let next = scalars.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                case "\r":
                    // CRLF inside a field is one line break of the file.
                    let next = scalars.next()
                    field.append("\r")
                    if next == "\n" { field.append("\n") } else { pending = next }
                    line += 1
                case "\n":
                    field.append("\n")
                    line += 1
                default:
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                if !recordStarted { recordLine = line }
                recordStarted = true
                fields.append(String(field))
                field = String.UnicodeScalarView()
                fieldWasQuoted = false
            case "\r", "\n":
                if scalar == "\r" {
                    let next = scalars.next()
                    if next != "\n" { pending = next }
                }
                endRecord()
                line += 1
            case "\"" where field.isEmpty && !fieldWasQuoted:
                if !recordStarted { recordLine = line }
                recordStarted = true
                inQuotes = true
                fieldWasQuoted = true
                quoteStartLine = line
            default:
                if !recordStarted { recordLine = line }
                recordStarted = true
                field.append(scalar)
            }
        }
        if inQuotes {
            throw InputError(file: file, location: "line \(quoteStartLine)",
                             reason: "a quoted field starting here is never closed")
        }
        endRecord()

        guard let header = records.first else {
            throw InputError(file: file, reason: "no header line (the file is empty)")
        }
        return CSVTable(file: file, header: header.fields, headerLine: header.line, records: Array(records.dropFirst()))
    }
}

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
        try scan(text) { records.append($0) }
        guard let header = records.first else {
            throw InputError(file: file, reason: "no header line (the file is empty)")
        }
        return CSVTable(file: file, header: header.fields, headerLine: header.line, records: Array(records.dropFirst()))
    }

    /// Hands every record to `visit` in file order (the header first) without keeping them, so a
    /// file of a million rows costs its rows one at a time; throws as `parse` does, after the
    /// records before an unclosed quote.
    ///
    /// It works on the text's UTF-8 bytes: the separators, quotes and line ends are ASCII, and no
    /// byte of a multi-byte UTF-8 sequence is ASCII, so splitting bytes splits characters exactly
    /// where splitting scalars would (and costs a fraction of it).
    public func scan(_ text: String, _ visit: (CSVRecord) throws -> Void) throws {
        var text = text
        try text.withUTF8 { bytes in try scan(bytes, visit) }
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: (CSVRecord) throws -> Void) throws {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(256)
        var line = 1
        var recordLine = 1
        var quoteStartLine = 0
        var inQuotes = false
        var fieldWasQuoted = false
        // Whether the current record has any content, so a blank line is not mistaken for a record.
        var recordStarted = false

        func endField() {
            // Decoding from a buffer takes the standard library's fast path (a generic
            // collection of bytes takes a slow one, a third of the reading time).
            fields.append(field.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() throws {
            if recordStarted {
                endField()
                try visit(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
            recordStarted = false
        }

        var i = 0
        let count = bytes.count
        // Leading byte order marks (EF BB BF) are skipped here too, not only when bytes are
        // decoded: text handed over in memory may still carry them, and a second BOM would
        // otherwise become part of the first header's name and hide the `id` column.
        while i + 2 < count && bytes[i] == 0xEF && bytes[i + 1] == 0xBB && bytes[i + 2] == 0xBF { i += 3 }
        while i < count {
            let byte = bytes[i]
            i += 1
            if inQuotes {
                switch byte {
                case quote:
                    if i < count && bytes[i] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                case cr:
                    // CRLF inside a field is one line break of the file.
                    field.append(cr)
                    if i < count && bytes[i] == lf {
                        field.append(lf)
                        i += 1
                    }
                    line += 1
                case lf:
                    field.append(lf)
                    line += 1
                default:
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case comma:
                if !recordStarted { recordLine = line }
                recordStarted = true
                endField()
            case cr, lf:
                if byte == cr && i < count && bytes[i] == lf { i += 1 }
                try endRecord()
                line += 1
            case quote where field.isEmpty && !fieldWasQuoted:
                if !recordStarted { recordLine = line }
                recordStarted = true
                inQuotes = true
                fieldWasQuoted = true
                quoteStartLine = line
            default:
                if !recordStarted { recordLine = line }
                recordStarted = true
                field.append(byte)
            }
        }
        if inQuotes {
            throw InputError(file: file, location: "line \(quoteStartLine)",
                             reason: "a quoted field starting here is never closed")
        }
        try endRecord()
    }
}

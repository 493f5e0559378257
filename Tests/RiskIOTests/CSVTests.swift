import Foundation
import Testing
import RiskCore
@testable import RiskIO

@Suite struct CSVTests {
    let reader = CSVReader(file: "t.csv")

    @Test func plainRecordsCarryTheirLines() throws {
        let table = try reader.parse("a,b,c\n1,2,3\n4,5,6\n")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.headerLine == 1)
        #expect(table.records == [CSVRecord(line: 2, fields: ["1", "2", "3"]), CSVRecord(line: 3, fields: ["4", "5", "6"])])
    }

    @Test func quotedFieldsWithCommasQuotesAndNewlines() throws {
        let text = "id,text,n\n1,\"a, b\",2\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n4,last,5\n"
        let table = try reader.parse(text)
        #expect(table.records.map(\.fields) == [
            ["1", "a, b", "2"],
            ["2", "say \"hi\"", "3"],
            ["3", "two\nlines", "4"],
            ["4", "last", "5"],
        ])
        // The record after a two-line field starts on line 6, not 5.
        #expect(table.records.map(\.line) == [2, 3, 4, 6])
    }

    @Test func crlfLineEndings() throws {
        let table = try reader.parse("a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n")
        #expect(table.header == ["a", "b"])
        #expect(table.records == [CSVRecord(line: 2, fields: ["1", "x\r\ny"]), CSVRecord(line: 4, fields: ["2", "z"])])
    }

    @Test func emptyFieldsAndNoFinalNewline() throws {
        let table = try reader.parse("a,b,c\n,,\n\"\",x,")
        #expect(table.records == [CSVRecord(line: 2, fields: ["", "", ""]), CSVRecord(line: 3, fields: ["", "x", ""])])
    }

    @Test func trailingAndInnerBlankLinesAreIgnored() throws {
        let table = try reader.parse("a,b\n1,2\n\n3,4\n\n\r\n\n")
        #expect(table.records == [CSVRecord(line: 2, fields: ["1", "2"]), CSVRecord(line: 4, fields: ["3", "4"])])
    }

    @Test func wrongWidthIsABadRowNotACrash() throws {
        let table = try reader.parse("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
        let rows = try table.rows(strict: false)
        #expect(rows.items.map(\.line) == [2, 5])
        #expect(rows.warnings == [
            Diagnostic(file: "t.csv", location: "line 3", reason: "has 2 fields, the header has 3"),
            Diagnostic(file: "t.csv", location: "line 4", reason: "has 4 fields, the header has 3"),
        ])
        let error = inputError { try table.rows(strict: true) }
        #expect(error?.diagnostics.map(\.location) == ["line 3"])
    }

    @Test func unclosedQuoteIsFatalAndNamesWhereItOpened() {
        let error = inputError { try reader.parse("a,b\n1,2\n3,\"open\n4,5\n") }
        #expect(error?.diagnostics.first?.location == "line 3")
        #expect(error?.description == "t.csv: line 3: a quoted field starting here is never closed")
    }

    @Test func emptyFileHasNoHeader() {
        #expect(inputError { try reader.parse("") } != nil)
        #expect(inputError { try reader.parse("\n\n") } != nil)
    }

    @Test func strayQuotesInsideUnquotedFieldsAreKept() throws {
        let table = try reader.parse("a,b\n5'10\",\"q\"x\n")
        #expect(table.records.first?.fields == ["5'10\"", "qx"])
    }

    /// Issue 10: a file saved twice by a careless editor starts with two BOMs; the second used to
    /// stay in the first header's name, so the `id` column was not found. Text in memory (not
    /// decoded from bytes) reaches the reader with them still there.
    @Test func leadingByteOrderMarksAreNotPartOfTheFirstHeader() throws {
        let table = try reader.parse("\u{FEFF}\u{FEFF}id,date\nx1,2025-01-01\n")
        #expect(table.header == ["id", "date"])
        #expect(table.column(named: "id") == 0)
        #expect(table.records == [CSVRecord(line: 2, fields: ["x1", "2025-01-01"])])
        // Only leading ones: a BOM inside a field is kept (it is data there).
        #expect(try reader.parse("a\n\u{FEFF}b\n").records.first?.fields == ["\u{FEFF}b"])
    }

    @Test func columnLookupIgnoresCaseAndBlanks() throws {
        let table = try reader.parse(" Latitude ,LON\n1,2\n")
        #expect(table.column(named: "latitude") == 0)
        #expect(table.column(named: "lon") == 1)
        #expect(table.column(named: "lat") == nil)
    }

    /// The parser splits UTF-8 bytes: characters of several bytes (accents, Urdu, emoji) inside
    /// fields, quoted or not, come back whole.
    @Test func multiByteCharactersSurviveTheByteSplit() throws {
        let table = try reader.parse("name,place\ncafé,\"کراچی, سندھ\"\n\"🚚 \"\"ok\"\"\",Zürich\n")
        #expect(table.records.map(\.fields) == [["café", "کراچی, سندھ"], ["🚚 \"ok\"", "Zürich"]])
    }

    /// `trimmingBlanks` removes exactly what Foundation's `.whitespacesAndNewlines` trimming does,
    /// checked scalar by scalar over the planes where blanks live, at either end and inside.
    @Test func trimmingBlanksMatchesFoundation() {
        let scalars = (0...0x3100).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0xFEFF)!, Unicode.Scalar(0x1F69A)!]
        for scalar in scalars {
            let c = String(scalar)
            for text in [c, "\(c)x", "x\(c)", "\(c)x y\(c)\(c)", "\(c)\(c)"] {
                #expect(text.trimmingBlanks() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                        "U+\(String(scalar.value, radix: 16)) in \(text.debugDescription)")
            }
        }
    }
}

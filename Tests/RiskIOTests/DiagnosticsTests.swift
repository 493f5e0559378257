import Foundation
import Testing
@testable import RiskIO

@Suite struct DiagnosticsTests {
    @Test func descriptionReadsLikeACompilerMessage() {
        let withField = Diagnostic(file: "seeds/x.csv", location: "line 14", field: "lat", reason: "\"abc\" is not a number")
        #expect(withField.description == "seeds/x.csv: line 14: field \"lat\": \"abc\" is not a number")
        let withoutField = Diagnostic(file: "z.geojson", location: "feature 3", reason: "is bad")
        #expect(withoutField.description == "z.geojson: feature 3: is bad")
        let error = InputError(diagnostics: [withField, withoutField])
        #expect(error.description == withField.description + "\n" + withoutField.description)
    }

    @Test func utf8WithBOM() {
        #expect(TextDecoding.decode(Data([0xEF, 0xBB, 0xBF] + Array("id,café".utf8))) == "id,café")
    }

    @Test func invalidUTF8FallsBackToLatin1AndWindows1252() {
        // "Caf\xE9" is Latin-1 é; 0x92 is Windows-1252's right single quote; 0x81 is undefined there
        // and stays the Latin-1 control.
        let text = TextDecoding.decode(Data([0x43, 0x61, 0x66, 0xE9, 0x20, 0x92, 0x81]))
        #expect(text.unicodeScalars.map(\.value) == [0x43, 0x61, 0x66, 0xE9, 0x20, 0x2019, 0x81])
    }

    @Test func unreadableFileIsAnInputErrorWithTheOSReason() throws {
        let dir = try TempDirectory()
        let missing = dir.url.appendingPathComponent("nope.csv")
        let error = inputError { try IncidentReader().read(contentsOf: missing) }
        #expect(error?.diagnostics.first?.file == missing.path)
        #expect(error?.description.contains("No such file or directory") == true)

        let directory = inputError { try ZoneReader().read(contentsOf: dir.url) }
        #expect(directory?.description.contains("is a directory") == true)
    }

    @Test func relativePathsStayRelativeInMessages() {
        let url = URL(fileURLWithPath: "no-such-dir/x.csv")
        let error = inputError { try IncidentReader().read(contentsOf: url) }
        #expect(error?.diagnostics.first?.file == "no-such-dir/x.csv")
    }
}

import Foundation
import Geo
import RiskCore
import RiskIO
import Testing

/// The `calibration` extension of the model file (docs/model.md): an object recording how the
/// model was chosen, accepted and ignored for scoring; anything else under the key is an error.
@Suite struct ModelCalibrationExtensionTests {
    @Test func anObjectIsAcceptedAndChangesNothing() throws {
        let with = try ModelReader.parse(JSONValue.parse(#"{"half_life_days": 730, "calibration": {"cuts": ["2009-01-01"], "x": 1}}"#),
                                         file: "m.json")
        let without = try ModelReader.parse(JSONValue.parse(#"{"half_life_days": 730}"#), file: "m.json")
        #expect(with == without)
        #expect(with.halfLifeDays == 730)
    }

    @Test func anythingElseIsAnErrorNamingTheKey() {
        #expect {
            try ModelReader.parse(JSONValue.parse(#"{"calibration": 3}"#), file: "m.json")
        } throws: { error in
            "\(error)".contains("calibration") && "\(error)".contains("object")
        }
    }
}

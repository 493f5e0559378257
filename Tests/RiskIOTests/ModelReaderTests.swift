import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

@Suite struct ModelReaderTests {
    static let specExample = """
        {
          "sigma_km": 10,
          "cutoff_sigmas": 3,
          "half_life_days": 365,
          "min_decay": 0.01,
          "severity": {"killed": 1.0, "injured": 0.5},
          "category_weights": {"suicide bombing": 2.0},
          "target_weights": {"foreign nationals": 2.0},
          "score_scale": 100,
          "bands": {"moderate": 25, "high": 50, "extreme": 75}
        }
        """

    func parse(_ text: String) throws -> Model {
        try ModelReader.parse(JSONValue.parse(text), file: "model.json")
    }

    func errors(_ text: String) -> [String] {
        inputError { try parse(text) }?.diagnostics.map { "\($0.location): \($0.reason)" } ?? []
    }

    @Test func readsTheSpecExample() throws {
        let dir = try TempDirectory()
        let model = try ModelReader.read(contentsOf: dir.write("model.json", Self.specExample))
        var expected = Model()
        expected.categoryWeights = ["suicide bombing": 2]
        expected.targetWeights = ["foreign nationals": 2]
        #expect(model == expected)
    }

    @Test func everyKeyIsOptional() throws {
        #expect(try parse("{}") == Model())
    }

    @Test func valuesAreTakenAndKeysNormalised() throws {
        let model = try parse("""
            {"sigma_km": 2.5, "cutoff_sigmas": 4, "half_life_days": 30, "min_decay": 0, "severity": {"injured": 0.25},
             "category_weights": {"  Suicide Bombing ": 3, "IED": 0}, "score_scale": 50,
             "bands": {"moderate": 10, "high": 20, "extreme": 100}}
            """)
        #expect(model.kernel == .gaussian(sigmaKm: 2.5, cutoffSigmas: 4))
        #expect(model.halfLifeDays == 30)
        #expect(model.minDecay == 0)
        #expect(model.killedWeight == 1)
        #expect(model.injuredWeight == 0.25)
        #expect(model.categoryWeights == ["suicide bombing": 3, "ied": 0])
        #expect(model.targetWeights == [:])
        #expect(model.scoreScale == 50)
        #expect([model.moderateFrom, model.highFrom, model.extremeFrom] == [10, 20, 100])
    }

    @Test func errorsNameTheKeyPath() {
        #expect(errors(#"{"sigma_km": -1}"#) == ["sigma_km: must be > 0, got -1"])
        #expect(errors(#"{"half_life_days": 0}"#) == ["half_life_days: must be > 0, got 0"])
        #expect(errors(#"{"cutoff_sigmas": "3"}"#) == ["cutoff_sigmas: must be a number, got a string"])
        #expect(errors(#"{"min_decay": 1}"#) == ["min_decay: must be >= 0 and < 1, got 1"])
        #expect(errors(#"{"score_scale": null}"#) == ["score_scale: must be a number, got null"])
        #expect(errors(#"{"severity": {"killed": -0.5}}"#) == ["severity.killed: must be >= 0, got -0.5"])
        #expect(errors(#"{"severity": 1}"#) == ["severity: must be an object, got a number"])
        #expect(errors(#"{"category_weights": {"suicide bombing": "high"}}"#)
            == ["category_weights.suicide bombing: must be a number, got a string"])
        #expect(errors(#"{"target_weights": {"police": -1}}"#) == ["target_weights.police: must be >= 0, got -1"])
        #expect(errors(#"{"target_weights": {"Police": 1, " police": 2}}"#)
            == ["target_weights. police: is the same key as \"Police\" once trimmed and lower-cased"])
        #expect(errors(#"{"bands": {"extreme": 101}}"#) == ["bands.extreme: must be > 0 and <= 100, got 101"])
        #expect(errors(#"{"bands": {"high": 20}}"#)
            == ["bands: must rise: moderate < high < extreme, got moderate 25, high 20, extreme 75"])
    }

    @Test func unknownKeysAtAnyLevel() {
        let found = errors(#"{"sigma": 10, "severity": {"killed": 1, "wounded": 1}, "bands": {"low": 5}}"#)
        #expect(found.count == 3)
        #expect(found[0].hasPrefix("sigma: unknown key"))
        #expect(found[1].hasPrefix("severity.wounded: unknown key"))
        #expect(found[2].hasPrefix("bands.low: unknown key"))
    }

    @Test func allErrorsAreReportedTogether() {
        #expect(errors(#"{"sigma_km": 0, "half_life_days": -3, "min_decay": 2}"#).count == 3)
    }

    @Test func unusableFiles() throws {
        #expect(inputError { try ModelReader.parse([1, 2], file: "m.json") }?.description
            == "m.json: a model file must hold a JSON object, got an array")
        let dir = try TempDirectory()
        let broken = try dir.write("m.json", "{\"sigma_km\": ")
        #expect(inputError { try ModelReader.read(contentsOf: broken) }?.description.contains("not JSON") == true)
    }

    @Test func jsonWritesEveryKeyInTheSpecOrderAndRoundTrips() throws {
        var model = Model()
        model.kernel = .gaussian(sigmaKm: 7.5)
        model.categoryWeights = ["suicide bombing": 2, "ied": 1.5]
        let json = ModelReader.json(model)
        #expect(json.objectMembers?.map(\.key) == ["kernel", "sigma_km", "cutoff_sigmas", "half_life_days", "min_decay", "severity",
                                                   "category_weights", "target_weights", "score_scale", "bands"])
        #expect(json.serialized() == #"{"kernel":"gaussian","sigma_km":7.5,"cutoff_sigmas":3,"half_life_days":365,"min_decay":0.01,"#
            + #""severity":{"killed":1,"injured":0.5},"category_weights":{"ied":1.5,"suicide bombing":2},"#
            + #""target_weights":{},"score_scale":100,"bands":{"moderate":25,"high":50,"extreme":75}}"#)
        #expect(try ModelReader.parse(json, file: "x") == model)
        #expect(try ModelReader.parse(JSONValue.parse(json.serialized()), file: "x") == model)
    }
}

/// The `kernel` and `radius_km` keys, which extend the spec's model file (docs/model.md).
@Suite struct ModelReaderKernelTests {
    func parse(_ text: String) throws -> Model {
        try ModelReader.parse(JSONValue.parse(text), file: "model.json")
    }

    func errors(_ text: String) -> [String] {
        inputError { try parse(text) }?.diagnostics.map { "\($0.location): \($0.reason)" } ?? []
    }

    @Test func theGaussianIsTheDefaultAndTheDiskHasARadius() throws {
        #expect(try parse("{}").kernel == .gaussian(sigmaKm: 10, cutoffSigmas: 3))
        #expect(try parse(#"{"kernel": "gaussian", "sigma_km": 4}"#).kernel == .gaussian(sigmaKm: 4, cutoffSigmas: 3))
        #expect(try parse(#"{"kernel": "disk"}"#).kernel == .disk(radiusKm: 10))
        // The radius may come before the key that says it applies.
        #expect(try parse(#"{"radius_km": 2.5, "kernel": "disk"}"#).kernel == .disk(radiusKm: 2.5))
        #expect(try parse(#"{"kernel": "disk", "radius_km": 2.5}"#).cutoffKm == 2.5)
    }

    @Test func badKernelValuesNameTheKey() {
        #expect(errors(#"{"kernel": "box"}"#) == [#"kernel: must be "gaussian" or "disk", got "box""#])
        #expect(errors(#"{"kernel": "Disk"}"#) == [#"kernel: must be "gaussian" or "disk", got "Disk""#])
        #expect(errors(#"{"kernel": 1}"#) == ["kernel: must be a string, got a number"])
        #expect(errors(#"{"kernel": "disk", "radius_km": 0}"#) == ["radius_km: must be > 0, got 0"])
        #expect(errors(#"{"kernel": "disk", "radius_km": -3}"#) == ["radius_km: must be > 0, got -3"])
        #expect(errors(#"{"kernel": "disk", "radius_km": "10"}"#) == ["radius_km: must be a number, got a string"])
    }

    @Test func aParameterOfTheOtherKernelIsAnError() {
        // It would be silently ignored otherwise.
        #expect(errors(#"{"radius_km": 10}"#) == [#"radius_km: does not apply to the gaussian kernel ("kernel" is "gaussian")"#])
        #expect(errors(#"{"kernel": "gaussian", "radius_km": 5}"#)
            == [#"radius_km: does not apply to the gaussian kernel ("kernel" is "gaussian")"#])
        #expect(errors(#"{"sigma_km": 5, "kernel": "disk", "cutoff_sigmas": 2}"#) == [
            #"sigma_km: does not apply to the disk kernel ("kernel" is "disk")"#,
            #"cutoff_sigmas: does not apply to the disk kernel ("kernel" is "disk")"#,
        ])
    }

    @Test func theEffectiveModelCarriesTheKernelAndRoundTrips() throws {
        var model = Model()
        model.kernel = .disk(radiusKm: 7)
        let json = ModelReader.json(model)
        #expect(json.objectMembers?.map(\.key) == ["kernel", "radius_km", "half_life_days", "min_decay", "severity",
                                                   "category_weights", "target_weights", "score_scale", "bands"])
        #expect(json.serialized().hasPrefix(#"{"kernel":"disk","radius_km":7,"half_life_days":365,"#))
        #expect(try ModelReader.parse(JSONValue.parse(json.serialized()), file: "x") == model)
        // The default model names its kernel too, so a store's model hash tells the kernels apart.
        #expect(ModelReader.json(Model()).serialized().hasPrefix(#"{"kernel":"gaussian","sigma_km":10,"cutoff_sigmas":3,"#))
    }
}

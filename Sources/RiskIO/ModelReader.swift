import Foundation
import Geo
import RiskCore

/// The model file of `scoring-model.md`: every key optional, defaults from `Model()`; extended
/// by `kernel` ("gaussian", the default, or "disk") and the disk's `radius_km` (see docs/model.md).
///
/// Nothing may be scored with a model that did not load, so every problem is fatal; all of them
/// are reported at once (one diagnostic each, located by key path such as `severity.killed`) so
/// that a hand-edited file can be fixed in one pass.
public enum ModelReader {
    public static func read(contentsOf url: URL) throws -> Model {
        try read(.file(url))
    }

    public static func read(_ source: InputSource) throws -> Model {
        let file = source.name
        let text = try source.text()
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw InputError(file: file, reason: "not JSON: \(FeatureFile.jsonReason(error))")
        }
        return try parse(value, file: file)
    }

    public static func parse(_ value: JSONValue, file: String) throws -> Model {
        guard let members = value.objectMembers else {
            throw InputError(file: file, reason: "a model file must hold a JSON object, got \(value.kindName)")
        }
        var checker = Checker(file: file)
        var model = Model()
        var bandsValid = true
        // The kernel is put together after every key is read: its parameters may come before
        // the `kernel` key that says which of them apply.
        var kernelName: String? = "gaussian"
        var kernelKeys: Set<String> = []
        var kernelValues: [String: Double] = [:]

        for member in members {
            let path = member.key
            switch member.key {
            case "kernel":
                kernelName = checker.kernelName(member.value, path)
            case "sigma_km", "cutoff_sigmas", "radius_km":
                kernelKeys.insert(path)
                kernelValues[path] = checker.positive(member.value, path)
            case "half_life_days":
                checker.positive(member.value, path).map { model.halfLifeDays = $0 }
            case "min_decay":
                checker.number(member.value, path, rule: "must be >= 0 and < 1") { $0 >= 0 && $0 < 1 }
                    .map { model.minDecay = $0 }
            case "score_scale":
                checker.positive(member.value, path).map { model.scoreScale = $0 }
            case "severity":
                for inner in checker.object(member.value, path) {
                    let innerPath = "\(path).\(inner.key)"
                    switch inner.key {
                    case "killed": checker.nonNegative(inner.value, innerPath).map { model.killedWeight = $0 }
                    case "injured": checker.nonNegative(inner.value, innerPath).map { model.injuredWeight = $0 }
                    default: checker.unknown(innerPath, known: ["killed", "injured"])
                    }
                }
            case "category_weights":
                model.categoryWeights = checker.weights(member.value, path)
            case "target_weights":
                model.targetWeights = checker.weights(member.value, path)
            case "bands":
                for inner in checker.object(member.value, path) {
                    let innerPath = "\(path).\(inner.key)"
                    let threshold = checker.number(inner.value, innerPath, rule: "must be > 0 and <= 100") { $0 > 0 && $0 <= 100 }
                    if threshold == nil { bandsValid = false }
                    switch inner.key {
                    case "moderate": threshold.map { model.moderateFrom = $0 }
                    case "high": threshold.map { model.highFrom = $0 }
                    case "extreme": threshold.map { model.extremeFrom = $0 }
                    default: checker.unknown(innerPath, known: ["moderate", "high", "extreme"])
                    }
                }
            default:
                checker.unknown(path, known: topLevelKeys)
            }
        }
        // Parameters the file leaves out take the kernel's own defaults.
        switch kernelName {
        case "gaussian":
            checker.notApplying(["radius_km"], given: kernelKeys, kernel: "gaussian")
            if case .gaussian(let sigma, let cutoff) = Kernel.gaussian() {
                model.kernel = .gaussian(sigmaKm: kernelValues["sigma_km"] ?? sigma, cutoffSigmas: kernelValues["cutoff_sigmas"] ?? cutoff)
            }
        case "disk":
            checker.notApplying(["sigma_km", "cutoff_sigmas"], given: kernelKeys, kernel: "disk")
            if case .disk(let radius) = Kernel.disk() {
                model.kernel = .disk(radiusKm: kernelValues["radius_km"] ?? radius)
            }
        default:
            break // already reported
        }
        // Checked on the effective values, so a file that moves only one threshold past a default
        // is caught too.
        if bandsValid, !(model.moderateFrom < model.highFrom && model.highFrom < model.extremeFrom) {
            checker.fail("bands", "must rise: moderate < high < extreme, got moderate \(format(model.moderateFrom)), "
                + "high \(format(model.highFrom)), extreme \(format(model.extremeFrom))")
        }
        if !checker.errors.isEmpty { throw InputError(diagnostics: checker.errors) }
        return model
    }

    static let topLevelKeys = ["kernel", "sigma_km", "cutoff_sigmas", "radius_km", "half_life_days", "min_decay", "severity",
                               "category_weights", "target_weights", "score_scale", "bands"]

    /// The effective model with every key that applies to its kernel, in the spec's order with
    /// `kernel` first and its parameters after it; weight tables sorted by key so the output is
    /// stable.
    public static func json(_ model: Model) -> JSONValue {
        func table(_ weights: [String: Double]) -> JSONValue {
            .object(weights.sorted { $0.key < $1.key }.map { JSONValue.Member($0.key, .number($0.value)) })
        }
        let kernel: [JSONValue.Member] = switch model.kernel {
        case .gaussian(let sigma, let cutoff): [.init("sigma_km", .number(sigma)), .init("cutoff_sigmas", .number(cutoff))]
        case .disk(let radius): [.init("radius_km", .number(radius))]
        }
        return .object([.init("kernel", .string(model.kernel.name))] + kernel + [
            .init("half_life_days", .number(model.halfLifeDays)),
            .init("min_decay", .number(model.minDecay)),
            .init("severity", .object([.init("killed", .number(model.killedWeight)),
                                       .init("injured", .number(model.injuredWeight))])),
            .init("category_weights", table(model.categoryWeights)),
            .init("target_weights", table(model.targetWeights)),
            .init("score_scale", .number(model.scoreScale)),
            .init("bands", .object([.init("moderate", .number(model.moderateFrom)),
                                    .init("high", .number(model.highFrom)),
                                    .init("extreme", .number(model.extremeFrom))])),
        ])
    }

    static func format(_ n: Double) -> String {
        FeatureFile.numberText(n)
    }

    /// Gathers every error instead of stopping at the first.
    private struct Checker {
        let file: String
        var errors: [Diagnostic] = []

        mutating func fail(_ path: String, _ reason: String) {
            errors.append(Diagnostic(file: file, location: path, reason: reason))
        }

        mutating func unknown(_ path: String, known: [String]) {
            fail(path, "unknown key (expected one of: \(known.joined(separator: ", ")))")
        }

        mutating func number(_ value: JSONValue, _ path: String, rule: String, _ isValid: (Double) -> Bool) -> Double? {
            guard let n = value.numberValue else {
                fail(path, "must be a number, got \(value.kindName)")
                return nil
            }
            guard n.isFinite, isValid(n) else {
                fail(path, "\(rule), got \(ModelReader.format(n))")
                return nil
            }
            return n
        }

        mutating func positive(_ value: JSONValue, _ path: String) -> Double? {
            number(value, path, rule: "must be > 0") { $0 > 0 }
        }

        mutating func nonNegative(_ value: JSONValue, _ path: String) -> Double? {
            number(value, path, rule: "must be >= 0") { $0 >= 0 }
        }

        /// The name of a kernel the scorers know, or nil (reported).
        mutating func kernelName(_ value: JSONValue, _ path: String) -> String? {
            guard let name = value.stringValue else {
                fail(path, "must be a string, got \(value.kindName)")
                return nil
            }
            guard ["gaussian", "disk"].contains(name) else {
                fail(path, "must be \"gaussian\" or \"disk\", got \"\(name)\"")
                return nil
            }
            return name
        }

        /// Reports each of `keys` that the file gives although the kernel does not use it: it
        /// would be silently ignored otherwise.
        mutating func notApplying(_ keys: [String], given: Set<String>, kernel: String) {
            for key in keys where given.contains(key) {
                fail(key, "does not apply to the \(kernel) kernel (\"kernel\" is \"\(kernel)\")")
            }
        }

        mutating func object(_ value: JSONValue, _ path: String) -> [JSONValue.Member] {
            guard let members = value.objectMembers else {
                fail(path, "must be an object, got \(value.kindName)")
                return []
            }
            return members
        }

        /// A lookup table; keys normalised with `Model.key`, as incidents' labels are at lookup.
        mutating func weights(_ value: JSONValue, _ path: String) -> [String: Double] {
            var table: [String: Double] = [:]
            var original: [String: String] = [:]
            for member in object(value, path) {
                let memberPath = "\(path).\(member.key)"
                let key = Model.key(member.key)
                guard !key.isEmpty else {
                    fail(memberPath, "a weight needs a non-blank key")
                    continue
                }
                if let earlier = original[key] {
                    fail(memberPath, "is the same key as \"\(earlier)\" once trimmed and lower-cased")
                    continue
                }
                original[key] = member.key
                if let weight = nonNegative(member.value, memberPath) { table[key] = weight }
            }
            return table
        }
    }
}

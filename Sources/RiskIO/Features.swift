import Foundation
import Geo

/// One GeoJSON Feature of a file, with its 1-based position for diagnostics.
struct Feature {
    var number: Int
    var value: JSONValue

    var location: String { "feature \(number)" }

    /// The properties object; a missing or null member counts as no properties.
    func properties() throws(ItemProblem) -> [JSONValue.Member] {
        guard let properties = value["properties"], !properties.isNull else { return [] }
        guard let members = properties.objectMembers else {
            throw ItemProblem(field: "properties", "must be an object, got \(properties.kindName)")
        }
        return members
    }

    /// The geometry as a shape; nil geometry, or one GeoJSON rejects, is a bad feature.
    func shape() throws(ItemProblem) -> Shape {
        guard let geometry = value["geometry"], !geometry.isNull else {
            throw ItemProblem(field: "geometry", "is missing or null")
        }
        do {
            return try GeoJSON.geometry(geometry, path: "geometry")
        } catch let error as GeoError {
            throw ItemProblem(field: "geometry", error.description)
        } catch {
            throw ItemProblem(field: "geometry", "\(error)")
        }
    }

    /// Throws unless every coordinate is WGS84 lon/lat, naming the offending position.
    static func validateGeographic(_ shape: Shape) throws(ItemProblem) {
        do {
            try shape.validateGeographic()
        } catch {
            throw ItemProblem(field: "geometry", "\(error)")
        }
    }

    /// The feature's own `id` member (RFC 7946 allows a string or a number).
    var topLevelID: String? {
        value["id"].flatMap(FeatureFile.identifier)
    }
}

enum FeatureFile {
    /// The features of a FeatureCollection, or the one Feature of a file that is a bare Feature.
    /// Anything that is not a GeoJSON object of those types makes the file unusable.
    static func features(in text: String, file: String) throws(InputError) -> [Feature] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw InputError(file: file, reason: "not JSON: \(jsonReason(error))")
        }
        guard value.objectMembers != nil else {
            throw InputError(file: file, reason: "expected a GeoJSON object at the top level, got \(value.kindName)")
        }
        switch value["type"]?.stringValue {
        case "FeatureCollection":
            guard let items = value["features"]?.arrayValue else {
                throw InputError(file: file, reason: "a FeatureCollection needs an array \"features\"")
            }
            return items.enumerated().map { Feature(number: $0 + 1, value: $1) }
        case "Feature":
            return [Feature(number: 1, value: value)]
        case let type?:
            throw InputError(file: file, reason: "expected a FeatureCollection or a Feature, got type \"\(type)\"")
        case nil:
            throw InputError(file: file, reason: "expected a FeatureCollection or a Feature, but there is no string \"type\"")
        }
    }

    /// Checks the member that makes an object a Feature.
    static func checkFeature(_ feature: Feature) throws(ItemProblem) {
        guard feature.value.objectMembers != nil else {
            throw ItemProblem("expected a Feature object, got \(feature.value.kindName)")
        }
        guard feature.value["type"]?.stringValue == "Feature" else {
            throw ItemProblem(field: "type", "must be \"Feature\"")
        }
    }

    /// A string or number as an identifier: integers without a fraction, so `7` is "7", not "7.0".
    static func identifier(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        case .number(let n):
            return numberText(n)
        default:
            return nil
        }
    }

    static func numberText(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return "\(n)"
    }

    /// Foundation's decoding errors bury the useful part in `debugDescription`.
    static func jsonReason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

extension [JSONValue.Member] {
    /// The value of `key`; a null value counts as absent, as GeoJSON writers use it for "no value".
    func value(_ key: String) -> JSONValue? {
        guard let member = first(where: { $0.key == key }), !member.value.isNull else { return nil }
        return member.value
    }
}

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
        try checkCRS(value, file: file)
        switch value["type"]?.stringValue {
        case "FeatureCollection":
            guard let items = value["features"]?.arrayValue else {
                throw InputError(file: file, reason: "a FeatureCollection needs an array \"features\"")
            }
            try checkNotProjected(items, file: file)
            return items.enumerated().map { Feature(number: $0 + 1, value: $1) }
        case "Feature":
            try checkNotProjected([value], file: file)
            return [Feature(number: 1, value: value)]
        case let type?:
            throw InputError(file: file, reason: "expected a FeatureCollection or a Feature, got type \"\(type)\"")
        case nil:
            throw InputError(file: file, reason: "expected a FeatureCollection or a Feature, but there is no string \"type\"")
        }
    }

    /// The names of WGS84 longitude/latitude a legacy (2008) `crs` member may carry.
    static let geographicCRSNames: Set = ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
                                          "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:6.6:4326", "CRS84"]

    /// RFC 7946 GeoJSON is WGS84 longitude/latitude; a legacy `crs` member naming anything else
    /// (a UTM zone, say) would be read as degrees and score nothing, so the file is refused.
    static func checkCRS(_ value: JSONValue, file: String) throws(InputError) {
        guard let crs = value["crs"], crs != .null else { return }
        let name = crs["properties"]?["name"]?.stringValue
        if let name, geographicCRSNames.contains(name) { return }
        throw InputError(file: file, location: "crs", field: "crs",
                         reason: "names \(name.map { "\"\($0)\"" } ?? "a coordinate system that is not named"); RouteRisk reads "
                             + "WGS84 longitude and latitude (RFC 7946): reproject the file, e.g. "
                             + "ogr2ogr -t_srs EPSG:4326 out.geojson \(file)")
    }

    /// A file whose every geometry starts outside longitude/latitude range holds projected
    /// coordinates (metres of a UTM zone, say) without saying so: refused as a whole, rather
    /// than each feature skipped and an empty result reported as success.
    static func checkNotProjected(_ features: [JSONValue], file: String) throws(InputError) {
        func firstPosition(_ coordinates: JSONValue?) -> (Double, Double)? {
            guard let array = coordinates?.arrayValue, let first = array.first else { return nil }
            if case .number(let x) = first, array.count >= 2, case .number(let y) = array[1] { return (x, y) }
            return firstPosition(first)
        }
        let starts = features.compactMap { firstPosition($0["geometry"]?["coordinates"]) }
        guard !starts.isEmpty, starts.allSatisfy({ abs($0.0) > 180 || abs($0.1) > 90 }) else { return }
        throw InputError(file: file, location: "feature 1", field: "geometry",
                         reason: "coordinates such as (\(starts[0].0), \(starts[0].1)) are not longitude and latitude; the file looks "
                             + "projected (metres): reproject it to WGS84, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson \(file)")
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

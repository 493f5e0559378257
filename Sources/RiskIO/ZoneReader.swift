import Foundation
import Geo
import RiskCore

/// Reads zones from a GeoJSON FeatureCollection of Polygon / MultiPolygon features with
/// properties `id` (string or number; required, or the feature's own `id`), `name` (default: the
/// id), `kind` (default `zone`), `base` (>= 0, default 0) and `multiplier` (> 0, default 1).
///
/// An invalid polygon (self-intersecting, say) is repaired with GEOS's makeValid and kept with a
/// warning, even in strict mode: boundary files from OSM often carry tiny defects, and dropping a
/// whole province over one would change scores far more than the repair does.
public struct ZoneReader: Sendable {
    public var strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    public func read(contentsOf url: URL) throws -> ReadResult<Zone> {
        try read(.file(url))
    }

    public func read(_ source: InputSource) throws -> ReadResult<Zone> {
        try parse(source.text(), file: source.name)
    }

    public func parse(_ text: String, file: String) throws -> ReadResult<Zone> {
        let features = try FeatureFile.features(in: text, file: file)
        let context = try GeometryContext()
        var problems = Problems(strict: strict)
        var ids = IDRegistry()
        var zones: [Zone] = []

        for feature in features {
            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let properties = try feature.properties()
                // Administrative boundary files often carry only a name; it then serves as the id.
                let fallback = properties.value("id") == nil ? properties.value("name").flatMap(FeatureFile.identifier) : nil
                guard let id = properties.value("id").flatMap(FeatureFile.identifier) ?? feature.topLevelID ?? fallback else {
                    if let bad = properties.value("id") {
                        throw ItemProblem(field: "id", "must be a non-empty string or a number, got \(bad.kindName)")
                    }
                    throw ItemProblem(field: "id", "is missing")
                }
                let name = try ZoneReader.text(properties, "name") ?? id
                let kind = try ZoneReader.text(properties, "kind") ?? "zone"
                let base = try ZoneReader.number(properties, "base") ?? 0
                guard base >= 0 else { throw ItemProblem(field: "base", "must be >= 0, got \(FeatureFile.numberText(base))") }
                let multiplier = try ZoneReader.number(properties, "multiplier") ?? 1
                guard multiplier > 0 else { throw ItemProblem(field: "multiplier", "must be > 0, got \(FeatureFile.numberText(multiplier))") }

                var shape = try feature.shape()
                guard let polygons = shape.polygons else {
                    throw ItemProblem(field: "geometry", "must be a Polygon or MultiPolygon, got \(shape.typeName)")
                }
                guard polygons.contains(where: { !$0.isEmpty }) else {
                    throw ItemProblem(field: "geometry", "is empty")
                }
                try Feature.validateGeographic(shape)
                let repair = try ZoneReader.repaired(shape, context)
                try ids.claim(id, at: feature.location)
                if let repair {
                    shape = repair.shape
                    problems.note(Diagnostic(file: file, location: feature.location, field: "geometry",
                                             reason: "invalid polygon (GEOS: \(repair.reason)); repaired with makeValid"))
                }
                zones.append(Zone(id: id, name: name, kind: kind, base: base, multiplier: multiplier, shape: shape))
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
            }
        }
        return ReadResult(items: zones, warnings: problems.warnings)
    }

    /// nil when GEOS finds the shape valid; otherwise its polygonal repair and GEOS's reason.
    static func repaired(_ shape: Shape, _ context: GeometryContext) throws(ItemProblem) -> (shape: Shape, reason: String)? {
        do {
            let geometry = try Geometry(shape, in: context)
            if try geometry.isValid() { return nil }
            let reason = try geometry.validityReason()
            let fixed = try geometry.makeValid().shape()
            guard let polygonal = polygonalPart(fixed) else {
                throw ItemProblem(field: "geometry", "invalid polygon (GEOS: \(reason)) and its repair has no area left")
            }
            return (polygonal, reason)
        } catch let problem as ItemProblem {
            throw problem
        } catch {
            throw ItemProblem(field: "geometry", "\(error)")
        }
    }

    /// The area part of a repaired shape: makeValid may return a collection in which a collapsed
    /// spike became a line or a point, which a zone cannot use.
    static func polygonalPart(_ shape: Shape) -> Shape? {
        switch shape {
        case .polygon(let rings):
            return rings.isEmpty ? nil : shape
        case .multiPolygon(let polygons):
            let nonEmpty = polygons.filter { !$0.isEmpty }
            return nonEmpty.isEmpty ? nil : .multiPolygon(nonEmpty)
        case .geometryCollection(let members):
            let polygons = members.compactMap(polygonalPart).flatMap { $0.polygons ?? [] }
            return polygons.isEmpty ? nil : .multiPolygon(polygons)
        default:
            return nil
        }
    }

    private static func text(_ properties: [JSONValue.Member], _ key: String) throws(ItemProblem) -> String? {
        guard let value = properties.value(key) else { return nil }
        guard let text = FeatureFile.identifier(value) else {
            if case .string = value { return nil }  // blank: fall back to the default
            throw ItemProblem(field: key, "must be a string or a number, got \(value.kindName)")
        }
        return text
    }

    private static func number(_ properties: [JSONValue.Member], _ key: String) throws(ItemProblem) -> Double? {
        guard let value = properties.value(key) else { return nil }
        guard let number = value.numberValue else {
            throw ItemProblem(field: key, "must be a number, got \(value.kindName) \(value.serialized())")
        }
        guard number.isFinite else { throw ItemProblem(field: key, "must be finite") }
        return number
    }
}

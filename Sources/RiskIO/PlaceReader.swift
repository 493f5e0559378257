import Foundation
import Geo
import RiskCore

/// Reads places from GeoJSON Point features with a name: the property `name` (or `NAME`, as
/// Natural Earth writes it). A feature without a point or a name is skipped with a warning
/// (fatal when strict); two places of one name are an error, since routes are named by them.
public struct PlaceReader: Sendable {
    public var strict: Bool

    public init(strict: Bool = false) {
        self.strict = strict
    }

    public func read(_ source: InputSource) throws -> ReadResult<Place> {
        let file = source.name
        let features = try FeatureFile.features(in: try source.text(), file: file)
        var problems = Problems(strict: strict)
        var firstSeen: [String: String] = [:]
        var places: [Place] = []
        for feature in features {
            let place: Place
            do throws(ItemProblem) {
                try FeatureFile.checkFeature(feature)
                let members = try feature.properties()
                guard let value = members.value("name") ?? members.value("NAME") else {
                    throw ItemProblem(field: "name", "is missing (a place needs a name or NAME property)")
                }
                guard let name = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else {
                    throw ItemProblem(field: "name", "must be a non-empty string, got \(value.kindName)")
                }
                let shape = try feature.shape()
                guard case .point(let location) = shape else {
                    throw ItemProblem(field: "geometry", "must be a Point, got \(shape.typeName)")
                }
                try Feature.validateGeographic(shape)
                place = Place(name: name, location: location)
            } catch {
                try problems.reject(Diagnostic(file: file, location: feature.location, field: error.field, reason: error.reason))
                continue
            }
            if let earlier = firstSeen[place.name] {
                throw InputError(file: file, location: feature.location, field: "name",
                                 reason: "duplicate place name \"\(place.name)\" (also \(earlier))")
            }
            firstSeen[place.name] = feature.location
            places.append(place)
        }
        return ReadResult(items: places, warnings: problems.warnings)
    }
}

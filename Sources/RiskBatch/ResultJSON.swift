import Geo
import RiskCore

/// How stores keep a result's zones and leading incidents: compact JSON arrays (with each
/// incident's absolute exposure, which incremental updates merge on). One codec for every
/// adapter, so a score copied between stores reads back the same.
public enum ResultJSON {
    /// Why a stored list does not decode; the adapter adds the table, row and column.
    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static func encode(_ zones: [ZoneLength]) -> String {
        JSONValue.array(zones.map { .object([.init("id", .string($0.id)), .init("name", .string($0.name)), .init("km", .number($0.km))]) })
            .serialized()
    }

    public static func encode(_ incidents: [IncidentContribution]) -> String {
        JSONValue.array(incidents.map {
            .object([.init("id", .string($0.id)), .init("exposure", .number($0.exposure)), .init("share", .number($0.share)),
                     .init("closest_km", .number($0.closestKm)), .init("at_km", .number($0.atKm))])
        }).serialized()
    }

    public static func zones(from text: String) throws -> [ZoneLength] {
        try items(text).map { item in ZoneLength(id: try item.string("id"), name: try item.string("name"), km: try item.number("km")) }
    }

    public static func incidents(from text: String) throws -> [IncidentContribution] {
        try items(text).map { item in
            IncidentContribution(id: try item.string("id"), exposure: try item.number("exposure"), share: try item.number("share"),
                                 closestKm: try item.number("closest_km"), atKm: try item.number("at_km"))
        }
    }

    /// The objects of a JSON array.
    private static func items(_ text: String) throws -> [Item] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw Invalid(reason: "not JSON: \(error)")
        }
        guard let array = value.arrayValue else { throw Invalid(reason: "\(value.kindName), not an array") }
        return try array.enumerated().map { index, item in
            guard item.objectMembers != nil else { throw Invalid(reason: "item \(index + 1) is \(item.kindName), not an object") }
            return Item(index: index, value: item)
        }
    }

    /// One object in a JSON array; errors name the item and the key.
    private struct Item {
        let index: Int
        let value: JSONValue

        private func member(_ key: String) throws -> JSONValue {
            guard let member = value[key] else { throw Invalid(reason: "item \(index + 1) has no \"\(key)\"") }
            return member
        }

        func string(_ key: String) throws -> String {
            let member = try member(key)
            guard let string = member.stringValue else {
                throw Invalid(reason: "item \(index + 1): \"\(key)\" is \(member.kindName), not a string")
            }
            return string
        }

        func number(_ key: String) throws -> Double {
            let member = try member(key)
            guard let number = member.numberValue, number.isFinite else {
                throw Invalid(reason: "item \(index + 1): \"\(key)\" is \(member.kindName), not a finite number")
            }
            return number
        }
    }
}

import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskIO

/// A ranked scoring run, ready to print in any format. Formatting is pure: strings out, no I/O.
public struct Report: Sendable {
    public var asOf: Date
    /// The effective model as the spec's JSON object.
    public var model: JSONValue
    public var ranked: [(rank: Int, result: RouteResult)]
    /// Route geometries by id, for GeoJSON output.
    public var shapes: [String: Shape]
    public var warnings: [String]
    public var rankedBy: RankKey

    public init(asOf: Date, model: JSONValue, ranked: [(rank: Int, result: RouteResult)],
                shapes: [String: Shape] = [:], warnings: [String] = [], rankedBy: RankKey = .exposure) {
        self.rankedBy = rankedBy
        self.asOf = asOf
        self.model = model
        self.ranked = ranked
        self.shapes = shapes
        self.warnings = warnings
    }

    /// The report of a scoring request: the outcome's routes, with its warnings as text.
    public init(_ outcome: ScoreOutcome) {
        self.init(asOf: outcome.asOf, model: ModelReader.json(outcome.model), ranked: outcome.ranked, shapes: outcome.shapes,
                  warnings: outcome.warnings.map(\.description), rankedBy: outcome.rankedBy)
    }
}

/// ISO 8601 in UTC with whole seconds, as the spec's examples write times.
public func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
        .timeSeparator(.colon).timeZone(separator: .omitted))
        .replacingOccurrences(of: "+0000", with: "Z")
}

/// Measures keep six significant digits: enough to compare runs, short enough to read.
func measure(_ value: Double) -> JSONValue {
    guard value.isFinite else { return .null }
    return .number(Double(String(format: "%.6g", value))!)
}

/// Positions keep six decimals (about 0.1 m).
func degrees(_ value: Double) -> JSONValue {
    .number((value * 1e6).rounded() / 1e6)
}

extension Report {
    /// One route as the spec's JSON object.
    public static func routeJSON(rank: Int?, _ r: RouteResult) -> JSONValue {
        var members: [JSONValue.Member] = []
        if let rank { members.append(.init("rank", .number(Double(rank)))) }
        members += [
            .init("id", .string(r.id)),
            .init("name", r.name.map(JSONValue.string) ?? .null),
            .init("evaluated_at", .string(iso8601(r.evaluatedAt))),
            .init("length_km", measure(r.lengthKm)),
            .init("exposure", measure(r.exposure)),
            .init("base_exposure", measure(r.baseExposure)),
            .init("incident_exposure", measure(r.incidentExposure)),
            .init("mean_hazard", measure(r.meanHazard)),
            .init("peak_hazard", measure(r.peakHazard)),
            .init("peak_at_km", measure(r.peakAtKm)),
            .init("peak_location", .array([degrees(r.peakLocation.x), degrees(r.peakLocation.y)])),
            .init("score", measure(r.score)),
            .init("band", .string(r.band.rawValue)),
            .init("zones", .array(r.zones.map { zone in
                .object([.init("id", .string(zone.id)), .init("name", .string(zone.name)), .init("km", measure(zone.km))])
            })),
            .init("top_incidents", .array(r.topIncidents.map { top in
                .object([.init("id", .string(top.id)), .init("share", measure(top.share)),
                         .init("closest_km", measure(top.closestKm)), .init("at_km", measure(top.atKm))])
            })),
        ]
        return .object(members)
    }

    /// The spec's JSON output of `score`.
    public func json() -> String {
        JSONValue.object([
            .init("as_of", .string(iso8601(asOf))),
            .init("model", model),
            .init("routes", .array(ranked.map { Report.routeJSON(rank: $0.rank, $0.result) })),
            .init("warnings", .array(warnings.map(JSONValue.string))),
        ]).serialized(pretty: true) + "\n"
    }

    /// The routes with their results as properties, for a GIS.
    public func geoJSON() -> String {
        let features: [JSONValue] = ranked.map { rank, result in
            var properties = Report.routeJSON(rank: rank, result).objectMembers ?? []
            // Flat copies for GIS tools that cannot show nested properties.
            properties.append(.init("leading_incident", result.topIncidents.first.map { .string($0.id) } ?? .null))
            properties.append(.init("zone_list", .string(result.zones.map(\.name).joined(separator: ", "))))
            return .object([
                .init("type", "Feature"),
                .init("id", .string(result.id)),
                .init("properties", .object(properties)),
                .init("geometry", shapes[result.id].map(GeoJSON.value) ?? .null),
            ])
        }
        return JSONValue.object([.init("type", "FeatureCollection"), .init("features", .array(features))])
            .serialized() + "\n"
    }

    public static let csvHeader = [
        "rank", "id", "name", "evaluated_at", "length_km", "exposure", "base_exposure", "incident_exposure",
        "mean_hazard", "peak_hazard", "peak_at_km", "peak_lon", "peak_lat", "score", "band", "zones",
        "leading_incident", "leading_share", "leading_closest_km",
    ]

    /// One row per route; zones as `id:km` joined by `;`.
    public func csv() -> String {
        var lines = [Report.csvHeader.joined(separator: ",")]
        for (rank, r) in ranked {
            lines.append(([String(rank)] + Report.csvFields(r)).map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A route's CSV fields after the rank, in `csvHeader` order.
    public static func csvFields(_ r: RouteResult) -> [String] {
        func number(_ value: JSONValue) -> String { value.serialized() }
        let lead = r.topIncidents.first
        return [
            r.id, r.name ?? "", iso8601(r.evaluatedAt), number(measure(r.lengthKm)),
            number(measure(r.exposure)), number(measure(r.baseExposure)), number(measure(r.incidentExposure)),
            number(measure(r.meanHazard)), number(measure(r.peakHazard)), number(measure(r.peakAtKm)),
            number(degrees(r.peakLocation.x)), number(degrees(r.peakLocation.y)), number(measure(r.score)),
            r.band.rawValue, r.zones.map { "\($0.id):\(number(measure($0.km)))" }.joined(separator: ";"),
            lead?.id ?? "", lead.map { number(measure($0.share)) } ?? "", lead.map { number(measure($0.closestKm)) } ?? "",
        ]
    }
}

/// Quotes a CSV field when it holds a separator, a quote or a line break (RFC 4180).
public func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

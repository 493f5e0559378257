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
    /// What the scores rest on (nil: a report made without a scoring request says nothing of it).
    public var basis: Basis?
    /// Coverage verdicts by route id.
    public var coverage: [String: RouteCoverage]
    /// The leading incidents by id, to name them by date, category, place and casualties.
    public var incidents: [String: Incident]

    public init(asOf: Date, model: JSONValue, ranked: [(rank: Int, result: RouteResult)],
                shapes: [String: Shape] = [:], warnings: [String] = [], rankedBy: RankKey = .exposure,
                basis: Basis? = nil, coverage: [String: RouteCoverage] = [:], incidents: [String: Incident] = [:]) {
        self.rankedBy = rankedBy
        self.basis = basis
        self.coverage = coverage
        self.incidents = incidents
        self.asOf = asOf
        self.model = model
        self.ranked = ranked
        self.shapes = shapes
        self.warnings = warnings
    }

    /// The report of a scoring request: the outcome's routes, with its warnings as text.
    public init(_ outcome: ScoreOutcome) {
        self.init(asOf: outcome.asOf, model: ModelReader.json(outcome.model), ranked: outcome.ranked, shapes: outcome.shapes,
                  warnings: outcome.warnings.map(\.description), rankedBy: outcome.rankedBy, basis: outcome.basis,
                  coverage: outcome.coverage, incidents: outcome.incidents)
    }
}

/// ISO 8601 in UTC with whole seconds, as the spec's examples write times.
public func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
        .timeSeparator(.colon).timeZone(separator: .omitted))
        .replacingOccurrences(of: "+0000", with: "Z")
}

/// ISO 8601 with whole seconds in `zone` with its offset (`2025-06-06T05:00:00+05:00`), or
/// `iso8601(_:)` when no zone is given.
public func timestamp(_ date: Date, in zone: TimeZone?) -> String {
    guard let zone else { return iso8601(date) }
    return date.formatted(Date.ISO8601FormatStyle(timeZone: zone).year().month().day().dateSeparator(.dash)
        .time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .colon))
}

/// Measures keep six significant digits: enough to compare runs, short enough to read.
public func measure(_ value: Double) -> JSONValue {
    guard value.isFinite else { return .null }
    return .number(Double(String(format: "%.6g", value))!)
}

/// Positions keep six decimals (about 0.1 m).
func degrees(_ value: Double) -> JSONValue {
    .number((value * 1e6).rounded() / 1e6)
}

extension Report {
    /// One route as the spec's JSON object, plus (additive) its `coverage` and, for each leading
    /// incident found in `incidents`, its date, category, target, casualties, place and description.
    public static func routeJSON(rank: Int?, _ r: RouteResult, coverage: RouteCoverage? = nil,
                                 incidents: [String: Incident] = [:]) -> JSONValue {
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
                         .init("closest_km", measure(top.closestKm)), .init("at_km", measure(top.atKm))]
                        + (incidents[top.id].map(incidentMembers) ?? []))
            })),
        ]
        if let coverage {
            members.append(.init("coverage", .object([.init("verdict", .string(coverage.verdict.rawValue)),
                                                      .init("covered_fraction", measure(coverage.coveredFraction))])))
        }
        return .object(members)
    }

    static func incidentMembers(_ incident: Incident) -> [JSONValue.Member] {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [.init("date", .string(iso8601Day(incident.time))), .init("category", text(incident.category)),
                .init("target", text(incident.target)), .init("killed", measure(incident.killed)),
                .init("injured", measure(incident.injured)),
                .init("location", .array([degrees(incident.location.x), degrees(incident.location.y)])),
                .init("description", text(incident.description))]
    }

    /// An incident as a person reads it: `2024-10-06 suicide bombing, 2 killed, 10 injured, at
    /// 24.9000 N 67.1700 E: <description>`; its id alone when the report does not have it.
    public static func readable(_ id: String, _ incidents: [String: Incident], description: Bool = true) -> String {
        guard let incident = incidents[id] else { return id }
        var text = iso8601Day(incident.time) + " " + (incident.category ?? "incident")
        text += String(format: ", %g killed, %g injured, at %.4f N %.4f E", incident.killed, incident.injured,
                       incident.location.y, incident.location.x)
        if description, let description = incident.description {
            text += ": " + (description.count > 60 ? description.prefix(59) + "…" : description)
        }
        return text
    }

    /// The basis as JSON (docs/output.md, "basis").
    public static func basisJSON(_ b: Basis) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .string(iso8601($0)) } ?? .null }
        func counts(_ sources: [SourceCount], _ noun: String) -> JSONValue {
            .array(sources.map { .object([.init("name", .string($0.name)), .init(noun, .number(Double($0.items))),
                                          .init("rejected", .number(Double($0.rejected)))]) })
        }
        func labels(_ list: [LabelCount]) -> JSONValue {
            .array(list.map { .object([.init("value", .string($0.label)), .init("count", .number(Double($0.count)))]) })
        }
        func count(_ n: Int) -> JSONValue { .number(Double(n)) }
        return .object([
            .init("incident_files", counts(b.provenance.incidentFiles, "incidents")),
            .init("incidents", .object([
                .init("read", count(b.incidentsRead)), .init("rejected", count(b.rejected)),
                .init("duplicates_merged", count(b.duplicatesMerged)), .init("used", count(b.incidents)),
                .init("applicable", count(b.applicable)), .init("decayed", count(b.decayed)),
                .init("after_evaluation", count(b.afterEvaluation)),
                .init("earliest", time(b.earliest)), .init("latest", time(b.latest)),
            ])),
            .init("duplicates", .array(b.merges.map {
                .object([.init("kept", .string($0.keptID)), .init("dropped", .string($0.droppedID)), .init("reason", .string($0.reason))])
            })),
            .init("evaluated_from", time(b.evaluatedFrom)), .init("evaluated_to", time(b.evaluatedTo)),
            .init("zone_files", counts(b.provenance.zoneFiles, "zones")),
            .init("zones", count(b.zones)),
            .init("model_file", b.provenance.modelFile.map(JSONValue.string) ?? .null),
            .init("model_hash", b.provenance.modelHash.map(JSONValue.string) ?? .null),
            .init("coverage", .object(CoverageVerdict.allCases.map { .init($0.rawValue, count(b.coverage[$0] ?? 0)) })),
            .init("unknown_categories", labels(b.unknownCategories)),
            .init("unknown_targets", labels(b.unknownTargets)),
        ])
    }

    /// The spec's JSON output of `score`.
    public func json() -> String {
        JSONValue.object([
            .init("as_of", .string(iso8601(asOf))),
            .init("model", model),
            .init("routes", .array(ranked.map { Report.routeJSON(rank: $0.rank, $0.result, coverage: coverage[$0.result.id],
                                                                  incidents: incidents) })),
            .init("warnings", .array(warnings.map(JSONValue.string))),
        ] + (basis.map { [.init("basis", Report.basisJSON($0))] } ?? [])).serialized(pretty: true) + "\n"
    }

    /// The routes with their results as properties, for a GIS.
    public func geoJSON() -> String {
        let features: [JSONValue] = ranked.map { rank, result in
            var properties = Report.routeJSON(rank: rank, result, coverage: coverage[result.id], incidents: incidents).objectMembers ?? []
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

    /// One row per route; zones as `id:km` joined by `;`; the coverage verdict last, when known.
    public func csv() -> String {
        let withCoverage = !coverage.isEmpty
        var lines = [(Report.csvHeader + (withCoverage ? ["coverage", "covered_fraction"] : [])).joined(separator: ",")]
        for (rank, r) in ranked {
            let verdict = coverage[r.id].map { [$0.verdict.rawValue, measure($0.coveredFraction).serialized()] } ?? ["", ""]
            lines.append(([String(rank)] + Report.csvFields(r) + (withCoverage ? verdict : [])).map(csvField).joined(separator: ","))
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
    // By scalar: "\r\n" is one Character in Swift, equal to neither "\r" nor "\n".
    guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

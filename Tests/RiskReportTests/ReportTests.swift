import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskReport

@Suite struct ReportTests {
    let at = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z

    func result(_ id: String, exposure: Double) -> RouteResult {
        RouteResult(id: id, name: "Route, \"\(id)\"", evaluatedAt: at, lengthKm: 31.2, exposure: exposure, baseExposure: 4.7,
                    incidentExposure: exposure - 4.7, meanHazard: exposure / 31.2, peakHazard: 3.9, peakAtKm: 2.1,
                    peakLocation: Coordinate(67.17, 24.9), score: 100 * (1 - exp(-exposure / 100)), band: .moderate,
                    zones: [ZoneLength(id: "PK-SD", name: "Sindh", km: 31.2)],
                    topIncidents: [IncidentContribution(id: "2024-10-06-karachi-airport", exposure: 25, share: 0.62, closestKm: 0.4, atKm: 1.9)])
    }

    var report: Report {
        Report(asOf: at, model: .object([.init("sigma_km", 10)]),
               ranked: rank([result("b", exposure: 20), result("a", exposure: 45.1)]),
               shapes: ["a": .lineString([Coordinate(67, 24), Coordinate(67.1, 24.1)])], warnings: ["w1"])
    }

    @Test func jsonHasTheSpecsKeysInOrder() throws {
        let value = try JSONValue.parse(report.json())
        #expect(value.objectMembers?.map(\.key) == ["as_of", "model", "routes", "warnings"])
        #expect(value["as_of"] == "2025-01-01T00:00:00Z")
        let routes = try #require(value["routes"]?.arrayValue)
        #expect(routes.map { $0["id"] } == ["a", "b"])
        #expect(routes[0].objectMembers?.map(\.key) == [
            "rank", "id", "name", "evaluated_at", "length_km", "exposure", "base_exposure", "incident_exposure",
            "mean_hazard", "peak_hazard", "peak_at_km", "peak_location", "score", "band", "zones", "top_incidents",
        ])
        #expect(routes[0]["rank"] == 1)
        #expect(routes[0]["exposure"] == 45.1)
        #expect(routes[0]["peak_location"] == [67.17, 24.9])
        #expect(routes[0]["zones"] == [.object([.init("id", "PK-SD"), .init("name", "Sindh"), .init("km", 31.2)])])
        #expect(routes[0]["top_incidents"]?.arrayValue?.first?.objectMembers?.map(\.key) == ["id", "share", "closest_km", "at_km"])
        #expect(value["warnings"] == ["w1"])
    }

    @Test func csvQuotesFieldsAndKeepsOneRowPerRoute() throws {
        let lines = report.csv().split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == Report.csvHeader.joined(separator: ","))
        #expect(lines[1].hasPrefix("1,a,\"Route, \"\"a\"\"\",2025-01-01T00:00:00Z,31.2,45.1,"))
        #expect(lines[1].contains(",MODERATE,PK-SD:31.2,2024-10-06-karachi-airport,0.62,0.4"))
    }

    @Test func geoJSONCarriesGeometryAndResults() throws {
        let value = try JSONValue.parse(report.geoJSON())
        let features = try #require(value["features"]?.arrayValue)
        #expect(features.count == 2)
        #expect(features[0]["geometry"]?["type"] == "LineString")
        #expect(features[0]["properties"]?["band"] == "MODERATE")
        #expect(features[0]["properties"]?["leading_incident"] == "2024-10-06-karachi-airport")
        #expect(features[1]["geometry"] == .null)
    }

    @Test func tableColoursBandsOnlyWhenAsked() {
        let plain = report.table(colour: false, explain: false)
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("MODERATE"))
        let coloured = report.table(colour: true, explain: true)
        #expect(coloured.contains("\u{1B}[33mMODERATE"))
        #expect(coloured.contains("zones: Sindh 31.2 km"))
        #expect(coloured.contains("incident 2024-10-06-karachi-airport: 62.0% of incident exposure, closest 0.40 km at km 1.9"))
        let rows = plain.split(separator: "\n").filter { $0.hasPrefix("1 ") || $0.hasPrefix("2 ") }
        #expect(rows.count == 2 && rows[0].contains(" a ") && rows[1].contains(" b "))
    }
}

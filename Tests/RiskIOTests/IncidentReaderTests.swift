import Foundation
import Geo
import RiskCore
import Testing
@testable import RiskIO

@Suite struct IncidentReaderTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory() }

    @Test func readsASimpleCSV() throws {
        let url = try dir.write("incidents.csv", """
            id,date,lat,lon,killed,injured,category,target,description,source
            a1,2024-10-06,24.9,67.17,2,5, Suicide Bombing ,foreign nationals,"Airport, Karachi",Dawn
            a2,2024-10-06T18:45:00+05:00,33.7,73.05,,,,,,

            """)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.warnings.isEmpty)
        #expect(result.items == [
            Incident(id: "a1", location: Coordinate(67.17, 24.9), time: epoch(1_728_172_800), killed: 2, injured: 5,
                     category: "Suicide Bombing", target: "foreign nationals", description: "Airport, Karachi", source: "Dawn"),
            // Unknown casualties count as none; blank labels are nil.
            Incident(id: "a2", location: Coordinate(73.05, 33.7), time: epoch(1_728_222_300)),
        ])
    }

    /// Issue 10: with two BOMs before the header (from bytes, or text handed over in memory) the
    /// ids are still the file's own, not generated ones that a re-import would add again.
    @Test func twoByteOrderMarksDoNotHideTheIDColumn() throws {
        let csv = "id,date,lat,lon,killed,injured\nx1,2025-01-01,24.9,67.1,1,0\n"
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let fromBytes = try IncidentReader().read(.data(Data(bom + bom + Array(csv.utf8)), name: "twice.csv"))
        let fromText = try IncidentReader().read(.text("\u{FEFF}\u{FEFF}" + csv, name: "twice.csv"))
        #expect(fromBytes.items.map(\.id) == ["x1"])
        #expect(fromText.items.map(\.id) == ["x1"])
        #expect(fromText.warnings.isEmpty)
    }

    /// Issue 10 item 9: incidents at both poles made every route fail in PROJ ("Invalid value");
    /// each is now a bad row, named, and 85 degrees is still read.
    @Test func incidentsAtThePolesAreBadRows() throws {
        let url = try dir.write("poles.csv", """
            id,date,lat,lon,killed,injured
            n,2025-01-01,90,0,1,0
            s,2025-01-01,-90,0,1,0
            far,2025-01-01,85.5,10,1,0
            edge,2025-01-01,-85,10,1,0
            """)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["edge"])
        #expect(result.warnings.map(\.location) == ["line 2", "line 3", "line 4"])
        #expect(result.warnings.allSatisfy { $0.field == "lat" })
        #expect(result.warnings[0].reason.hasPrefix("90 is beyond 85 degrees north or south"))
        #expect(result.warnings[2].reason.hasPrefix("85.5 is beyond 85 degrees"))
    }

    @Test func acledHeadersLoadWithoutMapping() throws {
        let url = try dir.write("acled.csv", """
            event_id_cnty,event_date,year,event_type,sub_event_type,latitude,longitude,fatalities,notes
            PAK1,2024-01-15,2024,Explosions/Remote violence,Suicide bomb,30.2,67.0,4,Quetta market
            """)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.warnings.isEmpty)
        let incident = try #require(result.items.first)
        #expect(incident.id == "PAK1")
        #expect(incident.time == epoch(1_705_276_800))
        #expect(incident.location == Coordinate(67.0, 30.2))
        #expect(incident.killed == 4)
        #expect(incident.injured == 0)
        // sub_event_type comes before event_type.
        #expect(incident.category == "Suicide bomb")
        #expect(incident.description == "Quetta market")
    }

    @Test func headerAliasesIgnoreCaseAndLongitudeSpellings() throws {
        for lonHeader in ["lon", "LNG", " Long ", "Longitude"] {
            let url = try dir.write("a.csv", "Date,LAT,\(lonHeader)\n2024-10-06,1,2\n")
            let result = try IncidentReader().read(contentsOf: url)
            #expect(result.items.first?.location == Coordinate(2, 1), "\(lonHeader)")
        }
    }

    @Test func explicitColumnsAndGeneratedIDs() throws {
        let url = try dir.write("attacks.csv", """
            When,Y,X,Dead
            18/06/2004,33.7,73.0,3
            03/04/2004,34.0,71.5,
            """)
        let reader = IncidentReader(columns: ["date": "When", "lat": "y", "lon": "X", "killed": "Dead"], dayFirst: true)
        let result = try reader.read(contentsOf: url)
        #expect(result.items.map(\.id) == ["attacks-row-2", "attacks-row-3"])
        #expect(result.items.map(\.time) == [epoch(1_087_516_800), epoch(1_080_950_400)])  // 2004-06-18, 2004-04-03
        #expect(result.items.map(\.killed) == [3, 0])
    }

    @Test func unknownFieldOrAbsentHeaderInTheMapping() throws {
        let url = try dir.write("a.csv", "date,lat,lon\n2024-10-06,1,2\n")
        let unknown = inputError { try IncidentReader(columns: ["deaths": "date"]).read(contentsOf: url) }
        #expect(unknown?.diagnostics.first?.field == "deaths")
        #expect(unknown?.description.contains("unknown field") == true)
        let absent = inputError { try IncidentReader(columns: ["killed": "Killed Max"]).read(contentsOf: url) }
        #expect(absent?.diagnostics.first?.field == "killed")
        #expect(absent?.description.contains("\"Killed Max\" is not in the header") == true)
    }

    @Test func missingRequiredColumnIsFatal() throws {
        let url = try dir.write("a.csv", "date,latitude\n2024-10-06,1\n")
        let error = inputError { try IncidentReader().read(contentsOf: url) }
        #expect(error?.diagnostics.first?.field == "lon")
        #expect(error?.diagnostics.first?.location == "line 1")
    }

    @Test func badRowsAreWarningsWithLineAndField() throws {
        let url = try dir.write("bad.csv", """
            id,date,lat,lon,killed,injured
            ok1,2024-10-06,30,70,1,1
            b1,2024-10-06,abc,70,1,1
            b2,2024-10-06,95,70,1,1
            b3,2024-10-06,30,181,1,1
            b4,2024-10-06,nan,70,1,1
            b5,someday,30,70,1,1
            b6,2024-10-06,30,70,-1,1
            b7,2024-10-06,30,70,1,many
            ok1,2024-10-07,30,70,1,1
            b9,2024-10-06,30,70
            b10,,30,70,1,1
            b11,2024-10-06,,70,1,1
            ok2,2024-02-29,-85,-180,0,0
            """)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.items.map(\.id) == ["ok1", "ok2"])
        let summary = result.warnings.map { "\($0.location)|\($0.field ?? "-")" }
        #expect(summary == ["line 3|lat", "line 4|lat", "line 5|lon", "line 6|lat", "line 7|date", "line 8|killed",
                            "line 9|injured", "line 10|id", "line 11|-", "line 12|date", "line 13|lat"])
        #expect(result.warnings[0].description == "\(url.path): line 3: field \"lat\": \"abc\" is not a number")
        #expect(result.warnings[1].reason == "95 is outside -90...90")
        #expect(result.warnings[4].reason.contains("\"someday\""))
        #expect(result.warnings[7].reason.contains("first at line 2"))
        #expect(result.warnings[8].reason == "has 4 fields, the header has 6")
    }

    @Test func strictThrowsTheFirstBadRow() throws {
        let url = try dir.write("bad.csv", "date,lat,lon\n2024-10-06,1,2\n2024-10-06,1,x\n2024-99-06,1,2\n")
        let error = inputError { try IncidentReader(strict: true).read(contentsOf: url) }
        #expect(error?.diagnostics == [Diagnostic(file: url.path, location: "line 3", field: "lon", reason: "\"x\" is not a number")])
    }

    @Test func latin1FileLoads() throws {
        // "Peshāwar" is not Latin-1, so use "Café" in Latin-1: 0xE9.
        let bytes = Array("id,date,lat,lon,description\nx,2024-10-06,1,2,Caf".utf8) + [0xE9, 0x0A]
        let url = try dir.write("latin.csv", bytes: bytes)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.items.first?.description == "Café")
    }

    @Test func geoJSONPoints() throws {
        let url = try dir.write("incidents.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"top","geometry":{"type":"Point","coordinates":[67.17,24.9]},
               "properties":{"date":"2024-10-06T18:45:00Z","killed":2,"injured":"3","category":"suicide bombing"}},
              {"type":"Feature","geometry":{"type":"Point","coordinates":[73.05,33.7]},
               "properties":{"id":42,"date":"2024-10-06","target":"police"}},
              {"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]},"properties":{"date":"2024-10-06"}},
              {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}},
              {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"date":"2024-10-06","killed":true}},
              {"type":"Feature","geometry":{"type":"Point","coordinates":[200,2]},"properties":{"date":"2024-10-06"}},
              {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"date":"2024-10-06"}}
            ]}
            """)
        let result = try IncidentReader().read(contentsOf: url)
        #expect(result.items == [
            Incident(id: "top", location: Coordinate(67.17, 24.9), time: epoch(1_728_240_300), killed: 2, injured: 3,
                     category: "suicide bombing"),
            Incident(id: "42", location: Coordinate(73.05, 33.7), time: epoch(1_728_172_800), target: "police"),
            Incident(id: "incidents-feature-7", location: Coordinate(1, 2), time: epoch(1_728_172_800)),
        ])
        #expect(result.warnings.map(\.location) == ["feature 3", "feature 4", "feature 5", "feature 6"])
        #expect(result.warnings.map(\.field) == ["geometry", "properties", "killed", "lon"])
    }

    @Test func singleFeatureAndContentSniffing() throws {
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"id":"s","date":"2024-10-06"}}"#
        let url = try dir.write("one.txt", "\n " + feature)
        #expect(try IncidentReader().read(contentsOf: url).items.map(\.id) == ["s"])
        let csv = try dir.write("rows.txt", "date,lat,lon\n2024-10-06,2,1\n")
        #expect(try IncidentReader().read(contentsOf: csv).items.map(\.location) == [Coordinate(1, 2)])
    }

    @Test func unusableGeoJSONFiles() throws {
        let notJSON = try dir.write("a.geojson", "{not json")
        #expect(inputError { try IncidentReader().read(contentsOf: notJSON) }?.description.contains("not JSON") == true)
        let array = try dir.write("b.geojson", "[1,2]")
        #expect(inputError { try IncidentReader().read(contentsOf: array) }?.description.contains("got an array") == true)
        let polygon = try dir.write("c.json", #"{"type":"Polygon","coordinates":[]}"#)
        #expect(inputError { try IncidentReader().read(contentsOf: polygon) }?.description.contains("\"Polygon\"") == true)
    }

    // MARK: The real Pakistan file, read in place and never copied.

    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pakistanFile = packageRoot
        .appendingPathComponent("../shared/data/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv").standardizedFileURL
    static let pakistanFileExists = FileManager.default.fileExists(atPath: pakistanFile.path)

    @Test(.enabled(if: pakistanFileExists, "skipped: ../shared/data/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv is not present next to the package"))
    func pakistanSuicideAttacksLoadWithAMapping() throws {
        let reader = IncidentReader(columns: [
            "id": "S#", "date": "Date", "lat": "Latitude", "lon": "Longitude", "killed": "Killed Max",
            "injured": "Injured Max", "target": "Target Type", "description": "City",
        ])
        let result = try reader.read(contentsOf: Self.pakistanFile)
        #expect(result.items.count >= 490)
        // Only the three rows without a latitude are left out; "40+" injured counts as 40.
        #expect(result.items.count == 493)
        #expect(result.items.contains { $0.injured == 40 })
        // Every one of the 496 records is either an incident or a warning.
        #expect(result.items.count + result.warnings.count == 496)
        for warning in result.warnings {
            #expect(warning.location.hasPrefix("line "), "\(warning)")
            print("pakistan file warning: \(warning)")
        }
        // The first attack: the Egyptian embassy in Islamabad, Sunday 19 November 1995.
        let first = try #require(result.items.first)
        #expect(first.id == "1")
        #expect(first.time == epoch(816_739_200))
        #expect(first.location == Coordinate(73.0718, 33.718))
        #expect(first.killed == 15)
        #expect(first.injured == 60)
        #expect(first.target == "Foreigner")
        #expect(first.description == "Islamabad")
        for incident in result.items {
            #expect((-90...90).contains(incident.location.y) && (-180...180).contains(incident.location.x))
        }
    }
}

/// ACLED's targeting fields give an incident its target (issue 9).
@Suite struct ACLEDTargetTests {
    @Test func theTargetIsTheFirstNonEmptyOfTargetActor2AndCivilianTargeting() throws {
        let text = """
            event_id_cnty,event_date,latitude,longitude,fatalities,sub_event_type,actor2,civilian_targeting
            PAK1,2024-10-07,24.90,67.16,3,Suicide bomb,Civilians (China),Civilian targeting
            PAK2,2024-10-08,24.90,67.16,1,Attack,,Civilian targeting
            PAK3,2024-10-09,24.90,67.16,0,Armed clash,,

            """
        let result = try IncidentReader().readCSV(text, file: "acled.csv", stem: "acled")
        #expect(result.warnings.isEmpty)
        #expect(result.items.map(\.target) == ["Civilians (China)", "Civilian targeting", nil])
        #expect(result.items.map(\.category) == ["Suicide bomb", "Attack", "Armed clash"])
    }

    @Test func aTargetColumnComesFirstWhenTheRowHasOne() throws {
        let text = "date,lat,lon,target,actor2\n2024-01-01,25,67,police,Civilians (Pakistan)\n2024-01-02,25,67,,Civilians (Pakistan)\n"
        let result = try IncidentReader().readCSV(text, file: "mixed.csv", stem: "mixed")
        #expect(result.items.map(\.target) == ["police", "Civilians (Pakistan)"])
    }

    @Test func inGeoJSONTooTheFirstNonEmptyPropertyIsTheTarget() throws {
        let text = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [67, 25]},
               "properties": {"date": "2024-01-01", "target": "", "actor2": "Civilians (China)"}}]}
            """
        let result = try IncidentReader().readGeoJSON(text, file: "a.geojson", stem: "a")
        #expect(result.items.map(\.target) == ["Civilians (China)"])
    }
}

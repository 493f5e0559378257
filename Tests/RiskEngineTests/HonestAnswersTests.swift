import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskIO
import Testing

/// Issue 9: every answer says what it rests on, and nothing is a silent LOW.
@Suite struct HonestAnswersTests {
    static let header = "id,date,lat,lon,killed,injured,category,target,source"
    /// The zone every test route lies in unless it means to leave it: 66..68 E, 24..27 N.
    static let zone = Zone(id: "box", name: "Box", kind: "province", shape: rectangle(66, 24, 68, 27))

    /// Loads `files` (name -> CSV text) as the command line would, with the zone above and the
    /// spec's default model, and scores `routes`.
    func score(_ files: [(String, String)], routes: [Route], request: ScoreRequest = ScoreRequest(asOf: asOf),
               zones: [Zone] = [zone], model: Model = Model()) async throws -> ScoreOutcome {
        let folder = try TempDirectory()
        let sources = try files.map { InputSource.file(try folder.write($0.0, $0.1)) }
        let loaded = try InputLoader().incidents(sources)
        let provenance = Provenance(incidentFiles: loaded.sources.map {
            SourceCount(name: $0.name, items: $0.items.count, rejected: $0.warnings.count)
        })
        let inputs = ScoringInputs(model: model, zones: zones, incidents: loaded.items, routes: routes,
                                   warnings: loaded.warnings, provenance: provenance)
        return try await request.run(inputs)
    }

    func csv(_ rows: [String]) -> String { ([HonestAnswersTests.header] + rows).joined(separator: "\n") + "\n" }

    /// `yyyy-MM-dd` of a date, written here without the engine's formatter.
    func day(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian)
        var utc = c
        utc.timeZone = TimeZone(identifier: "UTC")!
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    // MARK: No silent nothing

    @Test func everyIncidentTooOldIsAnErrorThatSaysWhyAndUntilWhen() async throws {
        // 2010 incidents at a 2025-06-01 evaluation: 15 years, past the 365 * log2(100) days
        // (2,424.9) after which D < 0.01.
        let rows = ["a,2010-01-01,25.0,67.0,5,0,bombing,,x", "b,2016-03-01,25.2,67.1,1,0,bombing,,x"]
        let route = meridianRoute("r", from: 24.5, to: 25.5)
        do {
            _ = try await score([("old.csv", csv(rows))], routes: [route])
            Issue.record("scored on incidents that had all decayed")
        } catch let error as NoApplicableIncidents {
            let lifetime = 365 * log2(100.0)
            let until = day(Date(timeIntervalSince1970: 1_456_790_400 + lifetime * 86_400))  // 2016-03-01 + lifetime
            #expect(error.description.contains("of 2 incident(s)"), "\(error)")
            #expect(error.description.contains("2 had decayed below min_decay 0.01"), "\(error)")
            #expect(error.description.contains(String(format: "counts for %.0f days", lifetime)), "\(error)")
            #expect(error.description.contains("counts until \(until)"), "\(error)")
            #expect(error.description.contains("--as-of"), "\(error)")
            #expect(error.description.contains("--allow-empty"), "\(error)")
        }
        // Allowed, the same request scores (on zones alone: no incident exposure) and says why.
        let allowed = try await score([("old.csv", csv(rows))], routes: [route],
                                      request: ScoreRequest(asOf: asOf, allowEmpty: true))
        #expect(allowed.ranked.first?.result.incidentExposure == 0)
        #expect(allowed.basis.decayed == 2)
        #expect(allowed.basis.applicable == 0)
    }

    @Test func everyRowRejectedIsAnErrorNotAScoreOnNothing() async throws {
        let rows = ["a,not a date,25.0,67.0,5,0,bombing,,x", "b,2025-01-01,,67.1,1,0,bombing,,x"]
        await #expect(throws: NoApplicableIncidents.self) {
            _ = try await score([("bad.csv", csv(rows))], routes: [meridianRoute("r", from: 24.5, to: 25.5)])
        }
        do {
            _ = try await score([("bad.csv", csv(rows))], routes: [meridianRoute("r", from: 24.5, to: 25.5)])
        } catch {
            #expect("\(error)".contains("no incident was read from"), "\(error)")
            #expect("\(error)".contains("(2 row(s) rejected)"), "\(error)")
        }
    }

    @Test func incidentsAllAfterTheEvaluationTimeAreNoAnswerEither() async throws {
        let rows = ["a,2025-07-01,25.0,67.0,5,0,bombing,,x"]
        do {
            _ = try await score([("future.csv", csv(rows))], routes: [meridianRoute("r", from: 24.5, to: 25.5)])
            Issue.record("scored on incidents after the evaluation time")
        } catch let error as NoApplicableIncidents {
            #expect(error.description.contains("1 are later than the evaluation time"), "\(error)")
        }
    }

    @Test func staleDataIsAWarningWithTheFigures() async throws {
        // 2024-05-01 to 2025-06-01 is 396 days: more than a half-life, so the weight is 0.5^(396/365).
        let rows = ["a,2024-05-01,25.0,67.0,5,0,bombing,,x"]
        let outcome = try await score([("stale.csv", csv(rows))], routes: [meridianRoute("r", from: 24.5, to: 25.5)])
        let stale = outcome.warnings.map(\.reason).first { $0.hasPrefix("stale data") }
        #expect(stale?.contains("396 days older") == true, "\(outcome.warnings)")
        #expect(stale?.contains(String(format: "%.3g", pow(0.5, 396.0 / 365))) == true, "\(String(describing: stale))")
        // Within a half-life, no such warning.
        let fresh = try await score([("fresh.csv", csv(["a,2025-01-01,25.0,67.0,5,0,bombing,,x"]))],
                                    routes: [meridianRoute("r", from: 24.5, to: 25.5)])
        #expect(!fresh.warnings.contains { $0.reason.hasPrefix("stale data") })
    }

    // MARK: Coverage

    @Test func coverageIsInsidePartlyOrOutsideByTheCoveredKilometres() async throws {
        // Incidents at 24.2 N and 26.8 N span the box; the box's north edge is 27 N.
        let rows = ["a,2025-01-01,24.2,67.0,1,0,,,x", "b,2025-01-01,26.8,67.5,1,0,,,x"]
        let inside = meridianRoute("inside", from: 24.5, to: 26.5)
        // 26.5 to 27.5 N: the box ends at 27 N; the incidents' extent (26.8 N plus the 30 km cutoff,
        // at most 30 / 110.57 degrees) ends before 27.5 N, so the covered part is 26.5 to 27 N.
        let half = meridianRoute("half", from: 26.5, to: 27.5)
        let nairobi = Route(id: "nairobi", shape: .lineString([Coordinate(36.82, -1.29), Coordinate(36.95, -1.10)]))
        let kashgar = Route(id: "kashgar", shape: .lineString([Coordinate(75.99, 39.47), Coordinate(75.2, 38.5)]))
        let outcome = try await score([("i.csv", csv(rows))], routes: [inside, half, nairobi, kashgar])
        #expect(abs((outcome.coverage["inside"]?.coveredFraction ?? 0) - 1) < 1e-9)
        #expect(outcome.coverage["inside"]?.verdict == .inside)
        let expected = (meridianArcKm(27) - meridianArcKm(26.5)) / (meridianArcKm(27.5) - meridianArcKm(26.5))
        let halfCoverage = try #require(outcome.coverage["half"])
        #expect(abs(halfCoverage.coveredFraction - expected) < 0.01, "\(halfCoverage) vs \(expected)")
        #expect(halfCoverage.verdict == .partly)
        #expect(outcome.coverage["nairobi"] == RouteCoverage(coveredFraction: 0))
        #expect(outcome.coverage["nairobi"]?.verdict == .outside)
        #expect(outcome.coverage["kashgar"]?.verdict == .outside)
        #expect(outcome.basis.coverage == [.inside: 1, .partly: 1, .outside: 2])
    }

    @Test func aRouteInsideTheZonesButFarFromEveryIncidentIsOutside() async throws {
        // The box is 66..68 E; the only incident is at 67 E 24.2 N, so its extent ends near 24.47 N.
        let rows = ["a,2025-01-01,24.2,67.0,1,0,,,x"]
        let outcome = try await score([("i.csv", csv(rows))], routes: [meridianRoute("north", from: 26, to: 26.9)])
        #expect(outcome.coverage["north"]?.verdict == .outside)
    }

    // MARK: Duplicates

    @Test func theSameFileTwiceCountsOnce() async throws {
        let rows = csv(["a,2025-01-01,25.0,67.0,5,2,bombing,,x", "b,2025-03-01,25.3,67.05,1,0,bombing,,x"])
        let route = meridianRoute("r", from: 24.5, to: 25.5)
        let once = try await score([("one.csv", rows)], routes: [route])
        let twice = try await score([("one.csv", rows), ("copy.csv", rows)], routes: [route])
        let kept = try await score([("one.csv", rows), ("copy.csv", rows)], routes: [route],
                                   request: ScoreRequest(asOf: asOf, keepDuplicates: true))
        let e1 = try #require(once.ranked.first?.result.incidentExposure)
        #expect(twice.ranked.first?.result.incidentExposure == e1)
        #expect(twice.basis.duplicatesMerged == 2)
        #expect(twice.basis.merges.map(\.reason) == ["same id", "same id"])
        // Kept, the field is the sum of the same terms twice: exactly double (to rounding).
        #expect(relativeError(try #require(kept.ranked.first?.result.incidentExposure), 2 * e1) < 1e-12)
        #expect(kept.basis.duplicatesMerged == 0)
    }

    @Test func anotherSourcesCopyOfTheSameBombingCountsOnce() async throws {
        let seed = csv(["seed-1,2024-10-06,24.8985,67.1681,2,10,suicide bombing,foreign nationals,Dawn"])
        // ACLED's copy: a day later in the record, 0.4 km away, its own id and vocabulary, one more death.
        let acled = """
            event_id_cnty,event_date,latitude,longitude,fatalities,sub_event_type,actor2,civilian_targeting
            PAK123,2024-10-07,24.9020,67.1690,3,Suicide bomb,Civilians (China),Civilian targeting
            PAK124,2024-10-07,25.2000,67.1690,3,Suicide bomb,Civilians (China),Civilian targeting

            """
        var model = Model()
        model.categoryWeights = ["suicide bombing": 2]
        model.categoryAliases = ["suicide bomb": "suicide bombing"]
        let route = meridianRoute("r", lon: 67.17, from: 24.6, to: 25.4)
        let outcome = try await score([("seeds.csv", seed), ("acled.csv", acled)], routes: [route], model: model)
        // PAK124 is 33 km north of the seed: another event, kept.
        #expect(outcome.basis.merges.map(\.droppedID) == ["PAK123"])
        #expect(outcome.basis.merges.first?.keptID == "seed-1")
        #expect(outcome.basis.incidents == 2)
        // Same day and place within one file: two rows, two events (twin blasts), kept.
        let twin = csv(["t1,2024-10-06,24.8985,67.1681,2,10,suicide bombing,,Dawn", "t2,2024-10-06,24.8990,67.1685,2,8,suicide bombing,,Dawn"])
        let twins = try await score([("twin.csv", twin)], routes: [route], model: model)
        #expect(twins.basis.duplicatesMerged == 0)
        // Incompatible details: a different category (once aliased) is not a copy.
        let other = csv(["k1,2024-10-06,24.9020,67.1690,2,0,kidnapping,,Dawn"])
        let differ = try await score([("seeds.csv", seed), ("other.csv", other)], routes: [route], model: model)
        #expect(differ.basis.duplicatesMerged == 0)
    }

    // MARK: Vocabulary

    @Test func aliasesWeighOtherVocabulariesAndUnknownLabelsAreListedWithCounts() async throws {
        var model = Model()
        model.categoryWeights = ["suicide bombing": 2]
        model.categoryAliases = ["suicide bomb": "suicide bombing"]
        model.targetWeights = ["foreign nationals": 3]
        model.targetAliases = ["civilians (china)": "foreign nationals"]
        let acled = Incident(id: "p", location: Coordinate(67, 25), time: asOf, killed: 4, injured: 2,
                             category: " Suicide bomb", target: "Civilians (China)")
        // S = 1 + ln(1 + 4 + 0.5 * 2) = 1 + ln 6; w = S * 2 * 3.
        #expect(abs(model.weight(acled) - (1 + log(6.0)) * 6) < 1e-12)
        let rows = ["a,2025-01-01,25.0,67.0,1,0,Mortar,Police,x", "b,2025-01-02,25.1,67.0,1,0,mortar,,x",
                    "c,2025-01-03,25.2,67.0,1,0,Suicide bomb,Civilians (China),x", "d,2025-01-04,25.3,67.0,1,0,IED,,x"]
        let outcome = try await score([("v.csv", csv(rows))], routes: [meridianRoute("r", from: 24.5, to: 25.5)], model: model)
        #expect(outcome.basis.unknownCategories.map(\.label) == ["mortar", "ied"])
        #expect(outcome.basis.unknownCategories.map(\.count) == [2, 1])
        #expect(outcome.basis.unknownTargets.map(\.label) == ["police"])
        let warning = outcome.warnings.map(\.reason).first { $0.contains("category_weights") }
        #expect(warning?.contains("\"mortar\" (2), \"ied\" (1)") == true, "\(outcome.warnings)")
    }

    @Test func theBundledModelMapsACLEDsVocabulary() throws {
        let model = try ModelReader.read(contentsOf: packageRoot.appendingPathComponent("data/model.json"))
        #expect(model.categoryWeights[model.categoryKey("Suicide bomb")] == 2.0)
        #expect(model.categoryWeights[model.categoryKey("Remote explosive/landmine/IED")] == 1.5)
        #expect(model.categoryWeights[model.categoryKey("Abduction/forced disappearance")] == 1.4)
        #expect(model.targetWeights[model.targetKey("Civilians (China)")] == 2.0)
        #expect(model.targetWeights[model.targetKey("Civilian targeting")] == 0.9)
    }

    // MARK: The real Pakistan file

    @Test(.enabled(if: pakistanFile != nil, "skipped: pakistan_suicide_attacks_v11_2017-11-30.csv is not in ../shared/data/incidents"))
    func thePakistanSuicideAttackFileAtA2025DepartureIsNoSilentLow() async throws {
        let file = try #require(pakistanFile)
        let loaded = try InputLoader().incidents([.file(file)])
        let inputs = ScoringInputs(model: Model(), zones: [HonestAnswersTests.zone], incidents: loaded.items,
                                   routes: [meridianRoute("karachi", from: 24.8, to: 25.4)])
        do {
            _ = try await ScoreRequest(asOf: asOf).run(inputs)
            Issue.record("the 1995-2017 file scored at 2025-06-01")
        } catch let error as NoApplicableIncidents {
            #expect(error.description.contains("\(loaded.items.count) had decayed"), "\(error)")
            #expect(error.description.contains("to 2017-"), "\(error)")
        }
        // Evaluated within the data's time, the same routes score on its incidents.
        let inTime = try await ScoreRequest(asOf: Date(timeIntervalSince1970: 1_512_086_400)).run(inputs)  // 2017-12-01
        #expect(inTime.basis.applicable > 0)
        #expect(try #require(inTime.ranked.first?.result.incidentExposure) > 0)
    }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `../shared/data/incidents/...` next to the checkout (a worktree sits one folder deeper, so
/// the folder above is tried too).
let pakistanFile: URL? = [packageRoot.deletingLastPathComponent(), packageRoot.deletingLastPathComponent().deletingLastPathComponent()]
    .map { $0.appendingPathComponent("shared/data/incidents/pakistan_suicide_attacks_v11_2017-11-30.csv") }
    .first { FileManager.default.fileExists(atPath: $0.path) }

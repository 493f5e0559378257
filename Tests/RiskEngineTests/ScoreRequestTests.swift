import Foundation
import Geo
import RiskCore
import RiskEngine
import RiskIO
import Testing

@Suite struct ScoreRequestTests {
    /// The test's own meridian arc against the published quarter meridian of WGS84, 10,001.965729 km.
    @Test func meridianArcOfTheTestsIsWGS84s() {
        #expect(abs(meridianArcKm(90) - 10_001.965729) < 1e-6)
    }

    /// Routes along the 67th meridian from 25 N, 1 degree each, the last one cut so that the
    /// total is `totalKm` by the meridian arc.
    func routes(totallingKm totalKm: Double) -> [Route] {
        let fullKm = meridianArcKm(26) - meridianArcKm(25)
        let full = Int(totalKm / fullKm)
        var routes = (0..<full).map { meridianRoute("leg-\($0)", from: 25, to: 26) }
        routes.append(meridianRoute("leg-last", from: 25, to: latitude(north: 25, byKm: totalKm - Double(full) * fullKm)))
        return routes
    }

    func outcome(_ request: ScoreRequest, routes: [Route], incidents: [Incident] = [], zones: [Zone] = [],
                 warnings: [Diagnostic] = []) async throws -> (outcome: ScoreOutcome, events: [ScoringEvent]) {
        let inputs = ScoringInputs(model: Model(), zones: zones, incidents: incidents, routes: routes, warnings: warnings)
        var events: [ScoringEvent] = []
        let outcome = try await request.run(inputs) { events.append($0) }
        return (outcome, events)
    }

    @Test func justUnderTwentyThousandRouteKmIsScoredExactly() async throws {
        let routes = routes(totallingKm: 19_999.99)
        let (outcome, events) = try await outcome(ScoreRequest(asOf: asOf, jobs: 2), routes: routes)
        #expect(abs(outcome.routeKm - 19_999.99) < 1e-4)
        #expect(outcome.path == .exact)
        #expect(outcome.notes.isEmpty && events.isEmpty)
        #expect(outcome.ranked.count == routes.count)
    }

    @Test func fromTwentyThousandRouteKmTheGridIsBuilt() async throws {
        let routes = routes(totallingKm: 20_000.01)
        let (outcome, events) = try await outcome(ScoreRequest(asOf: asOf, jobs: 2), routes: routes)
        #expect(abs(outcome.routeKm - 20_000.01) < 1e-4)
        #expect(outcome.path == .fast)
        #expect(outcome.notes.count == 1 && outcome.notes[0].hasPrefix("hazard grid: "))
        #expect(events == outcome.notes.map(ScoringEvent.note))
        #expect(outcome.ranked.count == routes.count)

        let exact = try await self.outcome(ScoreRequest(asOf: asOf, exact: true, jobs: 2), routes: routes).outcome
        #expect(exact.path == .exact && exact.notes.isEmpty)
    }

    @Test func theThresholdIsTwentyThousandKm() {
        let request = ScoreRequest(asOf: asOf)
        #expect(request.path(forRouteKm: 19_999.999) == .exact)
        #expect(request.path(forRouteKm: 20_000) == .fast)
        #expect(ScoreRequest(asOf: asOf, exact: true).path(forRouteKm: 1e9) == .exact)
    }

    /// Zone `a` (base 1) holds r1, r2, r3 of 0.3, 0.7 and 0.5 degrees of latitude; zone `b`
    /// (base 3) holds r4 of 0.2 degrees. No incidents, so exposure = base x length.
    func zonedRoutes() -> (routes: [Route], zones: [Zone], exposure: [String: Double]) {
        let spans = [("r1", 67.0, 0.3, 1.0), ("r2", 67.0, 0.7, 1.0), ("r3", 67.0, 0.5, 1.0), ("r4", 68.5, 0.2, 3.0)]
        let zones = [Zone(id: "a", name: "A", kind: "zone", base: 1, shape: rectangle(66, 24, 68, 26)),
                     Zone(id: "b", name: "B", kind: "zone", base: 3, shape: rectangle(68, 24, 69, 26))]
        let routes = spans.map { meridianRoute($0.0, lon: $0.1, from: 24.5, to: 24.5 + $0.2) }
        let exposure = Dictionary(uniqueKeysWithValues: spans.map { ($0.0, $0.3 * (meridianArcKm(24.5 + $0.2) - meridianArcKm(24.5))) })
        return (routes, zones, exposure)
    }

    @Test func rankedByExposureHighestFirstAndCutToTop() async throws {
        let (routes, zones, exposure) = zonedRoutes()
        // Exposures: r1 33.2, r2 77.5, r3 55.4, r4 3 x 22.2 = 66.5.
        let all = try await outcome(ScoreRequest(asOf: asOf), routes: routes, zones: zones).outcome
        #expect(all.ranked.map(\.result.id) == ["r2", "r4", "r3", "r1"])
        #expect(all.ranked.map(\.rank) == [1, 2, 3, 4])
        for (_, result) in all.ranked {
            #expect(relativeError(result.exposure, exposure[result.id]!) < 1e-9, "\(result.id)")
        }
        let top = try await outcome(ScoreRequest(asOf: asOf, top: 2), routes: routes, zones: zones).outcome
        #expect(top.ranked.map(\.result.id) == ["r2", "r4"])
        #expect(top.ranked.map(\.rank) == [1, 2])
        // Every route's shape stays available, ranked or not.
        #expect(Set(top.shapes.keys) == ["r1", "r2", "r3", "r4"])
    }

    @Test func peakHazardTiesKeepInputOrder() async throws {
        let (routes, zones, _) = zonedRoutes()
        // Peak hazard is the base: 3 for r4, exactly 1 for the other three.
        let outcome = try await outcome(ScoreRequest(asOf: asOf, rankBy: .peakHazard, top: 3), routes: routes, zones: zones).outcome
        #expect(outcome.ranked.map(\.result.id) == ["r4", "r1", "r2"])
        #expect(outcome.rankedBy == .peakHazard)
        let mean = try await self.outcome(ScoreRequest(asOf: asOf, rankBy: .meanHazard, top: 1), routes: routes, zones: zones).outcome
        #expect(mean.ranked.map(\.result.id) == ["r4"])
    }

    @Test func aRouteThatCannotBeScoredBecomesAWarningAfterTheInputs() async throws {
        let routes = [meridianRoute("good", from: 25, to: 25.5),
                      Route(id: "dot", shape: .point(Coordinate(67, 25))),
                      meridianRoute("off-the-globe", from: 89.5, to: 91)]
        let skipped = Diagnostic(file: "body.csv", location: "line 3", field: "lat", reason: "\"abc\" is not a number")
        let (outcome, events) = try await outcome(ScoreRequest(asOf: asOf), routes: routes, warnings: [skipped])
        #expect(outcome.ranked.map(\.result.id) == ["good"])
        try #require(outcome.warnings.count == 3)
        #expect(outcome.warnings.first == skipped)
        #expect(outcome.warnings.dropFirst().map(\.file) == ["route", "route"])
        #expect(outcome.warnings.dropFirst().map(\.location) == ["dot", "off-the-globe"])
        #expect(outcome.warnings[1].reason.contains("LineString or MultiLineString"))
        #expect(events == outcome.warnings.map(ScoringEvent.warning))
    }

    @Test func strictMakesTheFirstRouteFailureFatal() async throws {
        let routes = [meridianRoute("good", from: 25, to: 25.5), Route(id: "dot", shape: .point(Coordinate(67, 25)))]
        do {
            _ = try await outcome(ScoreRequest(asOf: asOf, strict: true), routes: routes)
            Issue.record("a strict request scored a route that cannot be scored")
        } catch let error as InputError {
            #expect(error.diagnostics.map(\.location) == ["dot"])
            #expect(error.diagnostics[0].file == "route")
        }
    }

    @Test func optionsOutOfRangeAreRefusedByName() async throws {
        let top = #expect(throws: ScoreRequest.Invalid.self) { try ScoreRequest(asOf: asOf, top: 0).validate() }
        #expect(top?.field == "top" && top?.reason == "must be at least 1")
        let jobs = #expect(throws: ScoreRequest.Invalid.self) { try ScoreRequest(asOf: asOf, jobs: 0).validate() }
        #expect(jobs?.field == "jobs" && jobs?.reason == "must be at least 1")
        await #expect(throws: ScoreRequest.Invalid.self) {
            _ = try await outcome(ScoreRequest(asOf: asOf, top: -1), routes: [meridianRoute("r", from: 25, to: 26)])
        }
    }
}

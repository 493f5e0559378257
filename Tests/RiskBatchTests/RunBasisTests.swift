import Foundation
import Geo
import RiskCore
import RiskEngine
import Testing
@testable import RiskBatch

/// A batch run records what its scores rest on (issue 9), worked out here from the inputs.
@Suite struct RunBasisTests {
    @Test func aRunRecordsItsIncidentsDeparturesZonesAndCoverage() async throws {
        let store = InMemoryStore()
        try store.upsert(zones: [Zone(id: "box", name: "Box", kind: "province", shape: rectangle(66, 24, 68, 27))])
        // Inside the zone and the incidents' extent (lon 67 to 67.2, lat 24.5 to 25.5, widened by the
        // kernel's cutoff); half in and half north of it; far from both (at 80 E, 30 N).
        try store.upsert(routes: [meridian("in", from: 24.8, to: 25.4), meridian("part", from: 25.3, to: 26.9),
                                  meridian("out", lon: 80, from: 30, to: 31)])
        #expect(try store.upsert(movements: [
            Movement(id: "m1", routeID: "in", departsAt: asOf + hour),
            Movement(id: "m2", routeID: "in", departsAt: asOf + 4 * hour),
            Movement(id: "m3", routeID: "part", departsAt: asOf + 2 * hour),
            Movement(id: "m4", routeID: "out", departsAt: asOf + 3 * hour),
            Movement(id: "next-week", routeID: "in", departsAt: asOf + 7 * day),
        ]).isEmpty)
        // The default model halves an incident's weight every 365 days and drops it below 0.01:
        // 0.5^(100/365) = 0.83 counts, 0.5^(3000/365) = 0.0034 and 0.5^(4000/365) have decayed; a
        // later one never counts.
        try store.upsert(incidents: [incident("recent", 67, 25, at: asOf - 100 * day), incident("old", 67, 25.5, at: asOf - 3000 * day),
                                     incident("older", 67.1, 25.2, at: asOf - 4000 * day), incident("late", 67.2, 24.5, at: asOf + 10 * day)])
        let outcome = try await BatchRunner(store: store).run(BatchOptions(asOf: asOf, window: .next(day)))
        let expected = RunBasis(incidents: 4, applicable: 1, decayed: 2, afterEvaluation: 1, earliest: asOf - 4000 * day,
                                latest: asOf + 10 * day, departuresFrom: asOf + hour, departuresTo: asOf + 4 * hour, zones: 1,
                                coverage: [.inside: 2, .partly: 1, .outside: 1])
        #expect(outcome.run.basis == expected)
        #expect(try store.run(id: outcome.run.id)?.basis == expected)
        #expect(outcome.run.basis?.outsideCoverage == 1)
    }

    @Test func theStoredTextReadsBackAndEveryMemberIsRequired() throws {
        let basis = RunBasis(incidents: 7, applicable: 5, decayed: 1, afterEvaluation: 1, earliest: asOf - 0.25, latest: nil,
                             departuresFrom: asOf, departuresTo: asOf + 1.5, zones: 2, coverage: [.outside: 3])
        #expect(try RunBasisJSON.fromColumn(RunBasisJSON.column(basis)) == basis)
        #expect(try RunBasisJSON.fromColumn(RunBasisJSON.column(nil)) == nil)
        let text = RunBasisJSON.encode(basis)
        let damaged = [
            (text.replacingOccurrences(of: "\"zones\":2,", with: ""), "no \"zones\""),
            (text.replacingOccurrences(of: "\"incidents\":7", with: "\"incidents\":-7"), "\"incidents\" is -7, not a count"),
            (text.replacingOccurrences(of: "\"applicable\":5", with: "\"applicable\":2.5"), "\"applicable\" is 2.5, not a count"),
            (text.replacingOccurrences(of: "\"outside\":3", with: "\"outside\":\"3\""), "\"coverage.outside\""),
            (text.replacingOccurrences(of: "\"latest\":null", with: "\"latest\":\"soon\""), "\"latest\" is a string"),
            ("[]", "an array, not an object"),
            ("{", "not JSON"),
            ("", "not JSON"),
        ]
        for (bad, reason) in damaged {
            #expect(bad != text)
            #expect { _ = try RunBasisJSON.fromColumn(bad) } throws: { "\($0)".contains(reason) }
        }
    }
}

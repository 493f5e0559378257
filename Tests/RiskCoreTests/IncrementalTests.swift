import Foundation
import Geo
import RiskSynth
import Testing
@testable import RiskCore

@Suite struct IncrementalTests {
    @Test func updatingWithNewIncidentsEqualsScoringFromScratch() throws {
        let synth = SyntheticPakistan(seed: 5)
        let old = synth.incidents(count: 2_000, end: epoch, idPrefix: "old")
        let new = SyntheticPakistan(seed: 6).incidents(count: 50, end: epoch, years: 1, idPrefix: "new")
        let routes = synth.routes(count: 40, minKm: 100, maxKm: 600)
        let zones = [Zone(id: "band", name: "Band", kind: "zone", base: 0.1, multiplier: 1.5, shape: rectangle(60, 27, 78, 30))]
        let before = try Scorer(ScoringData(incidents: old, zones: zones, model: Model()))
        let after = try Scorer(ScoringData(incidents: old + new, zones: zones, model: Model()))
        let added = Set(old.count..<(old.count + new.count))
        var changed = 0
        for route in routes {
            let previous = try before.score(route, asOf: epoch)
            let full = try after.score(route, asOf: epoch)
            let updated = try after.update(route, previous: previous, added: added)
            if full.exposure != previous.exposure { changed += 1 }
            #expect(relativeError(updated.exposure, full.exposure) < 1e-9, "\(route.id)")
            #expect(relativeError(updated.incidentExposure, full.incidentExposure) < 1e-9)
            #expect(abs(updated.peakHazard - full.peakHazard) <= 1e-6 * max(1, full.peakHazard), "\(route.id) peak")
            #expect(updated.topIncidents.map(\.id) == full.topIncidents.map(\.id), "\(route.id) top")
            #expect(zip(updated.topIncidents, full.topIncidents).allSatisfy { abs($0.share - $1.share) < 1e-9 })
            #expect(updated.band == full.band)
        }
        #expect(changed > 5, "the new incidents should touch several routes")
    }
}

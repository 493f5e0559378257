import Foundation
import Testing
import Geo
import RiskCore
import RiskIO
import RiskSynth

/// The fast path against the exact one on the real suicide-attack file (read in place from
/// ../shared/data, skipped with a message when absent): routes between the Natural Earth towns,
/// the attacks before several cut dates, the OSM provinces as zones, the spec's default model.
/// The spec's bound is 1 % on every route's exposure.
@Suite struct FastPathRealDataTests {
    static let provinces = RealDataTests.root.appendingPathComponent("admin/pak_provinces_osm_2023.geojson")
    static let present = RealDataTests.present && FileManager.default.fileExists(atPath: provinces.path)

    @Test(.enabled(if: present, "skipped: the suicide-attack file, the towns or the provinces are not present in ../shared/data"),
          arguments: ["2010-01-01", "2012-01-01", "2014-01-01"])
    func fastWithinOnePercentOfExactOnRealAttacks(cut: String) async throws {
        let reader = IncidentReader(columns: ["date": "Date", "lat": "Latitude", "lon": "Longitude", "killed": "Killed Max",
                                              "injured": "Injured Max"])
        let asOf = try #require(DateParser().parseISO8601(cut))
        let incidents = try reader.read(.file(RealDataTests.attacks)).items.filter { $0.time < asOf }
        let zones = try ZoneReader().read(.file(Self.provinces)).items
        let places = try PlaceReader().read(.file(RealDataTests.towns)).items
        let routes = try placePairRoutes(places, minKm: 50, maxKm: 600)
        let data = try ScoringData(incidents: incidents, zones: zones, model: Model())
        let exact = try await scoreRoutes(routes, asOf: asOf, data: data, path: .exact, jobs: 2).map { try $0.get() }
        let fast = try await scoreRoutes(routes, asOf: asOf, data: data, path: .fast, jobs: 2).map { try $0.get() }
        // The grid alone, with its bounds: the bound must hold on every route, whichever path
        // `scoreRoutes` then chose.
        let transformer = try data.crs.transformer()
        let extent = try #require(Envelope(covering: try routes.flatMap { try transformer.transformed($0.shape.coordinates) }))
        let grid = try await HazardGrid.build(data: data, extent: extent, referenceTime: asOf, jobs: 2)
        let onGrid = try FastScorer(data, grid: grid)
        var worst = (error: 0.0, id: ""), worstGrid = 0.0, worstPeak = 0.0, sentExact = 0
        for (route, (e, f)) in zip(routes, zip(exact, fast)) {
            let error = e.exposure == f.exposure ? 0 : abs(f.exposure - e.exposure) / e.exposure
            if error > worst.error { worst = (error, e.id) }
            worstPeak = max(worstPeak, e.peakHazard == f.peakHazard ? 0 : abs(f.peakHazard - e.peakHazard) / e.peakHazard)
            #expect(error < 0.01, "\(e.id) at the \(cut) cut: exact \(e.exposure), fast \(f.exposure)")
            let bounded = try onGrid.scoreBounded(route, asOf: asOf)
            let gridError = abs(bounded.result.exposure - e.exposure)
            worstGrid = max(worstGrid, e.exposure > 0 ? gridError / e.exposure : 0)
            #expect(gridError <= bounded.errorBound + 1e-9 * e.exposure,
                    "\(e.id) at the \(cut) cut: grid \(bounded.result.exposure), exact \(e.exposure), bound \(bounded.errorBound)")
            if bounded.errorBound > fastTolerance * bounded.result.exposure { sentExact += 1 }
        }
        print(String(format: "real attacks before %@: %d incidents, %d routes (%d scored exactly by the bound), worst exposure "
                     + "difference %.4f %% (%@; grid alone %.4f %%), worst peak %.4f %%",
                     cut, incidents.count, routes.count, sentExact, worst.error * 100, worst.id, worstGrid * 100, worstPeak * 100))
    }
}

import Foundation
import Geo
import Testing

/// `generate --places`, `backtest` and `calibrate` end to end on small synthetic data.
extension CommandLineTests {
    @Test func backtestAndCalibrateOnRoutesBetweenPlaces() throws {
        let folder = URL(fileURLWithPath: try temporaryStorePath()).deletingLastPathComponent()
        let places: [(String, Double, Double)] = [("Karachi", 67.01, 24.86), ("Hyderabad", 68.37, 25.40), ("Sukkur", 68.86, 27.70),
                                                  ("Quetta", 67.00, 30.18), ("Multan", 71.47, 30.20), ("Lahore", 74.34, 31.55)]
        let features = places.map { name, lon, lat in
            #"{"type":"Feature","properties":{"NAME":"\#(name)"},"geometry":{"type":"Point","coordinates":[\#(lon),\#(lat)]}}"#
        }
        let placesFile = folder.appendingPathComponent("places.geojson")
        try #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#.write(to: placesFile, atomically: true,
                                                                                              encoding: .utf8)
        let generated = try routerisk(["generate", "--out", folder.path, "--places", placesFile.path, "--min-km", "100",
                                       "--max-km", "700", "--incidents", "800"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let routes = folder.appendingPathComponent("routes.geojson").path
        let incidents = folder.appendingPathComponent("incidents.csv").path
        let common = ["--routes", routes, "--incidents", incidents, "--cuts", "2021-01-01,2023-01-01", "--horizon", "1y",
                      "--radius", "10km", "--bootstrap", "10"]

        let backtest = try routerisk(["backtest"] + common + ["--format", "json"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        let value = try JSONValue.parse(backtest.stdout)
        #expect(value["cuts"]?.arrayValue?.count == 2)
        let pooled = try #require(value["pooled"]?["routes"])
        for predictor in ["score", "exposure", "mean_hazard", "peak_hazard", "past_count_per_km", "province", "length_km", "random"] {
            #expect(pooled[predictor]?["spearman"] != nil, "\(predictor)")
        }
        #expect(value["pooled"]?["area"]?["hazard"]?["pai_5pct"]?["value"]?.numberValue != nil)

        let html = try routerisk(["backtest"] + common + ["--format", "html"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>") && html.stdout.components(separatedBy: "<svg").count == 5)
        #expect(html.stdout.contains("past_count_per_km"))

        let model = folder.appendingPathComponent("model.json").path
        let calibrate = try routerisk(["calibrate"] + common + ["--grid", "sigma_km=5,10", "half_life_days=365,730",
                                                                "kernel=gaussian", "severity=on", "--out", model])
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stdout.contains("held out"))
        // The calibrated file loads, and scores carry its fitted scale.
        let written = try JSONValue.parse(String(contentsOfFile: model, encoding: .utf8))
        #expect(written["calibration"]?["held_out"]?["cuts"]?.arrayValue?.count == 1)
        let score = try routerisk(["score", routes, "--incidents", incidents, "--model", model, "--as-of", "2025-01-01",
                                   "--format", "json"])
        #expect(score.status == 0, "\(score.stderr)")
        #expect(try JSONValue.parse(score.stdout)["model"]?["score_scale"] == written["score_scale"])

        let bad = try routerisk(["backtest"] + common.map { $0 == "2021-01-01,2023-01-01" ? "2023-01-01,2021-01-01" : $0 })
        #expect(bad.status != 0 && bad.stderr.contains("increasing"), "\(bad.stderr)")
    }
}

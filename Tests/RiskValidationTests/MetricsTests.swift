import Foundation
import Testing
@testable import RiskValidation

/// Each measure against values worked by hand.
@Suite struct MetricsTests {
    @Test func midRanksShareTies() {
        #expect(Metrics.midRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
    }

    @Test func spearmanWithTies() throws {
        // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4. Means 2.5; deviations x: -1.5, 0, 0, 1.5,
        // y: -1.5, -0.5, 0.5, 1.5. sxy = 2.25 + 2.25 = 4.5; sxx = 4.5; syy = 5. rho = 4.5 / sqrt(22.5).
        let rho = try #require(Metrics.spearman([1, 2, 2, 3], [10, 20, 30, 40]))
        #expect(abs(rho - 4.5 / 22.5.squareRoot()) < 1e-12)
        #expect(abs(Metrics.spearman([1, 2, 3], [3, 2, 1])! + 1) < 1e-12)
        #expect(Metrics.spearman([1, 1, 1], [1, 2, 3]) == nil)
    }

    @Test func aucCountsTiesAsHalf() throws {
        // Positives score 0.9 and 0.5, negatives 0.5 and 0.1: pairs (0.9 > 0.5) 1, (0.9 > 0.1) 1,
        // (0.5 = 0.5) 0.5, (0.5 > 0.1) 1: 3.5 / 4.
        let auc = try #require(Metrics.rocAUC([0.9, 0.5, 0.5, 0.1], positive: [true, true, false, false]))
        #expect(abs(auc - 0.875) < 1e-12)
        #expect(Metrics.rocAUC([1, 2], positive: [true, true]) == nil)
    }

    @Test func topDecileCaptureAndLift() throws {
        // 20 routes: the top tenth is 2 routes (scores 20 and 19), with 3 + 1 of the 10 incidents
        // on 5 + 15 km of the 200 km: capture 0.4, lift (4 / 20) / (10 / 200) = 4.
        let scores = (1...20).map(Double.init)
        var counts = [Double](repeating: 0, count: 20), km = [Double](repeating: 10, count: 20)
        counts[19] = 3; counts[18] = 1; counts[0] = 6
        km[19] = 5; km[18] = 15
        let decile = try #require(Metrics.topDecile(scores, counts: counts, lengthsKm: km))
        #expect(abs(decile.capture - 0.4) < 1e-12)
        #expect(abs(decile.lift - 4) < 1e-12)
    }

    @Test func paiOverCells() throws {
        // 200 cells valued by index; the top 1 % is cells 199 and 198, the top 5 % cells 190...199.
        // Events in cells 199, 195, 3, 199: 2 of 4 in the top 1 % (PAI 0.5 / 0.01 = 50), 3 of 4 in the top 5 % (15).
        let values = (0..<200).map(Double.init)
        let one = try #require(Metrics.pai(cellValues: values, events: [199, 195, 3, 199], areaFraction: 0.01))
        #expect(abs(one.hitRate - 0.5) < 1e-12 && abs(one.pai - 50) < 1e-9)
        let five = try #require(Metrics.pai(cellValues: values, events: [199, 195, 3, 199], areaFraction: 0.05))
        #expect(abs(five.hitRate - 0.75) < 1e-12 && abs(five.pai - 15) < 1e-9)
    }

    @Test func quantileType7() {
        #expect(Metrics.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(abs(Metrics.quantile([1, 2, 3, 4, 5], 0.9) - 4.6) < 1e-12)
    }
}

@Suite struct ChartTests {
    /// A bar of 0.5 [0.4, 0.6] on the axis 0...1, drawn 420 px wide from x = 230: the bar spans
    /// 230 to 440 and the whisker 398 to 482.
    @Test func barsAreDrawnToScale() {
        let svg = ValidationCharts.bars(title: "t", rows: [("a", Estimate(value: 0.5, low: 0.4, high: 0.6), false),
                                                           ("b", nil, true)], axis: 0...1)
        #expect(svg.contains(#"<rect x="230.0" y="15.0" width="210.0" height="16" class="model">"#))
        #expect(svg.contains(#"<line x1="398.0" y1="23.0" x2="482.0" y2="23.0" class="whisker"/>"#))
        #expect(svg.contains("undefined"))
    }
}

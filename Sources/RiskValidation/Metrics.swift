import Foundation

/// The skill measures of the backtest, as plain functions of numbers so that tests can check them
/// against values worked by hand.
public enum Metrics {
    /// Ranks 1...n with ties given the mean of the ranks they span (the usual mid-rank), so that
    /// Spearman's coefficient is Pearson's on these ranks.
    public static func midRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            // Positions start...end (0-based) share ranks start+1...end+1.
            let shared = Double(start + end + 2) / 2
            for k in start...end { ranks[order[k]] = shared }
            start = end + 1
        }
        return ranks
    }

    /// Pearson's correlation; nil when either side is constant (no ranking to compare).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "pearson: unequal lengths")
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation with ties (Pearson's on mid-ranks); nil when either side is
    /// constant.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(midRanks(x), midRanks(y))
    }

    /// ROC AUC of `scores` for the `positive` cases: the chance that a random positive scores
    /// above a random negative, ties counting one half (the Mann-Whitney statistic). Nil when
    /// one class is empty.
    public static func rocAUC(_ scores: [Double], positive: [Bool]) -> Double? {
        precondition(scores.count == positive.count, "rocAUC: unequal lengths")
        let positives = positive.filter { $0 }.count
        let negatives = positive.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let ranks = midRanks(scores)
        let rankSum = zip(ranks, positive).filter { $0.1 }.reduce(0) { $0 + $1.0 }
        let u = rankSum - Double(positives * (positives + 1)) / 2
        return u / Double(positives * negatives)
    }

    /// The indices of the highest `fraction` of `scores` (at least one, rounded up), highest
    /// first; ties are taken in input order, so a constant predictor selects the first routes.
    public static func top(_ scores: [Double], fraction: Double) -> [Int] {
        let count = min(scores.count, max(1, Int((Double(scores.count) * fraction).rounded(.up))))
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return Array(order.prefix(count))
    }

    /// Top-decile capture and per-km lift. Capture: the share of all `counts` on the tenth of
    /// routes that score highest. Lift: the count per km on those routes over the count per km
    /// on all routes. Nil when there is nothing to capture.
    public static func topDecile(_ scores: [Double], counts: [Double], lengthsKm: [Double]) -> (capture: Double, lift: Double)? {
        precondition(scores.count == counts.count && counts.count == lengthsKm.count, "topDecile: unequal lengths")
        let total = counts.reduce(0, +), totalKm = lengthsKm.reduce(0, +)
        guard total > 0, totalKm > 0 else { return nil }
        let chosen = top(scores, fraction: 0.1)
        let captured = chosen.reduce(0) { $0 + counts[$1] }
        let km = chosen.reduce(0) { $0 + lengthsKm[$1] }
        return (captured / total, km > 0 ? (captured / km) / (total / totalKm) : 0)
    }

    /// Hit rate and predictive accuracy index over equal cells: the share of `events` (a cell
    /// index each) that fall in the highest-valued `areaFraction` of the cells, and that share
    /// over the area's share. Cells are taken highest first, ties in cell order. Nil with no
    /// events or no cells.
    public static func pai(cellValues: [Double], events: [Int], areaFraction: Double) -> (hitRate: Double, pai: Double)? {
        guard !events.isEmpty, !cellValues.isEmpty else { return nil }
        let chosen = Set(top(cellValues, fraction: areaFraction))
        let hits = events.filter { chosen.contains($0) }.count
        let hitRate = Double(hits) / Double(events.count)
        let areaShare = Double(chosen.count) / Double(cellValues.count)
        return (hitRate, hitRate / areaShare)
    }

    /// The `p` quantile (0...1) by linear interpolation between order statistics (type 7).
    public static func quantile(_ values: [Double], _ p: Double) -> Double {
        precondition(!values.isEmpty, "quantile of nothing")
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * p
        let low = Int(h.rounded(.down)), high = min(low + 1, sorted.count - 1)
        return sorted[low] + (h - Double(low)) * (sorted[high] - sorted[low])
    }
}

/// A measured value with its bootstrap interval.
public struct Estimate: Sendable, Equatable {
    public var value: Double
    /// The 2.5 % and 97.5 % percentiles of the bootstrap replicates (equal to `value` when no
    /// replicate could be computed).
    public var low: Double
    public var high: Double

    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }

    /// `value` with the percentile interval of `replicates` (the nil ones, where a resample had
    /// one class only or a constant side, left out).
    init(value: Double, replicates: [Double?]) {
        let kept = replicates.compactMap { $0 }
        self.value = value
        low = kept.isEmpty ? value : Metrics.quantile(kept, 0.025)
        high = kept.isEmpty ? value : Metrics.quantile(kept, 0.975)
    }
}

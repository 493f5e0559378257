import Foundation

/// Per-incident working arrays of a scorer, indexed like `ScoringData.incidents`: each incident's
/// contribution to the route being scored, its closest approach, and its amplitude at the
/// route's time. Only the incidents a route touches are reset afterwards, so scoring a route
/// costs what the incidents near it cost, not all incidents. Owned by one scorer.
struct IncidentTally {
    private var contribution: [Double]
    private var closestKm: [Double]
    private var closestAt: [Double]
    /// `w D` at the route's time; NaN until looked up, -1 when the incident does not count.
    private var amplitude: [Double]
    /// Incidents with a contribution or a closest approach, in the order first met.
    private(set) var touched: [Int] = []
    private var looked: [Int] = []

    init(count: Int) {
        contribution = Array(repeating: 0, count: count)
        closestKm = Array(repeating: .infinity, count: count)
        closestAt = Array(repeating: 0, count: count)
        amplitude = Array(repeating: .nan, count: count)
    }

    /// The incident's `w D` at `time` (seconds since 1970), or nil when it does not count then.
    mutating func amplitude(_ index: Int, at time: Double, in data: ScoringData) -> Double? {
        var value = amplitude[index]
        if value.isNaN {
            value = data.amplitude(index, at: time) ?? -1
            amplitude[index] = value
            looked.append(index)
        }
        return value > 0 ? value : nil
    }

    /// Adds to an incident's contribution, noting its approach `distanceKm` at km mark `atKm`.
    mutating func add(_ index: Int, exposure: Double, distanceKm: Double, atKm: Double) {
        if contribution[index] == 0 && closestKm[index] == .infinity { touched.append(index) }
        contribution[index] += exposure
        if distanceKm < closestKm[index] {
            closestKm[index] = distanceKm
            closestAt[index] = atKm
        }
    }

    /// The incidents that contributed, in the order first met.
    func contributions(_ data: ScoringData) -> [IncidentContribution] {
        touched.filter { contribution[$0] > 0 }.map { index in
            IncidentContribution(id: data.incidents[index].id, exposure: contribution[index], share: 0,
                                 closestKm: closestKm[index], atKm: closestAt[index])
        }
    }

    mutating func reset() {
        for index in touched {
            contribution[index] = 0
            closestKm[index] = .infinity
        }
        touched.removeAll(keepingCapacity: true)
        for index in looked { amplitude[index] = .nan }
        looked.removeAll(keepingCapacity: true)
    }
}

/// The largest contributions, with their shares of `total`; ties in id order.
func leading(_ all: [IncidentContribution], total: Double, count: Int) -> [IncidentContribution] {
    all.sorted { $0.exposure != $1.exposure ? $0.exposure > $1.exposure : $0.id < $1.id }
        .prefix(count)
        .map { var c = $0; c.share = total > 0 ? min(1, c.exposure / total) : 0; return c }
}

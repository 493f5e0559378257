import Foundation

/// Incidents against a set of evaluation times: how many count at some time, how many had
/// decayed below `min_decay` by every time after them, and how many are after every time (no
/// look-ahead). What the scoring request's basis and the batch's refusal to run on nothing rest on.
public struct IncidentTimeline: Sendable, Equatable {
    public private(set) var applicable = 0
    public private(set) var decayed = 0
    public private(set) var afterEvaluation = 0

    /// `times` sorted. An incident counts at some time when it does at the first time not before
    /// it (decay only shrinks with age).
    public init(_ incidents: [Incident], times: [Date], model: Model) {
        for incident in incidents {
            var low = 0, high = times.count
            while low < high {
                let mid = (low + high) / 2
                if times[mid] < incident.time { low = mid + 1 } else { high = mid }
            }
            if low == times.count {
                afterEvaluation += 1
            } else if model.decay(of: incident.time, at: times[low]) != nil {
                applicable += 1
            } else {
                decayed += 1
            }
        }
    }
}

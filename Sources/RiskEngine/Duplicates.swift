import Foundation
import Geo
import RiskCore

/// One incident dropped as a copy of another that is kept.
public struct DuplicateMerge: Sendable, Equatable {
    public var keptID: String
    public var droppedID: String
    /// `same id`, or the figures of the match: `0.4 km apart, 0 days apart`.
    public var reason: String
}

/// The same attack given twice counts once (docs/model.md, "Duplicates"). Two incidents are one
/// when they have the same id, or when they come from different files and happened within a day
/// of each other, within `maxKm`, with compatible details: their categories are the same once
/// aliased (or one has none), and their death counts are within `max(2, 25 %)` of each other.
/// The rows of one file are taken as the distinct events its compiler listed (twin blasts are
/// two rows; a repeated id in one file is already a rejected row). The first one given is kept.
public struct Deduplicator: Sendable {
    public static let maxKm = 5.0
    public static let maxDays = 1.0

    public var model: Model

    public init(model: Model) {
        self.model = model
    }

    /// `incidents` with copies removed, and one merge per copy. `fileOf[i]` names the input
    /// that gave incident i (any value, compared for equality).
    public func merge(_ incidents: [Incident], fileOf: [Int]) -> (kept: [Incident], merges: [DuplicateMerge]) {
        let (kept, merges) = keptIndexes(incidents, fileOf: fileOf)
        return (kept.map { incidents[$0] }, merges)
    }

    /// What `store import` adds: each file's incidents less the copies of an incident the store
    /// holds or of one given earlier in the import (the store's are kept). An incident whose id
    /// the store holds is not a copy but the same incident again, which the store updates by id,
    /// so it is always kept.
    public func newOnly(_ files: [[Incident]], stored: [Incident]) -> (kept: [[Incident]], merges: [DuplicateMerge]) {
        let storedIDs = Set(stored.map { Identifier.normalized($0.id) })
        // The stored incidents come first (file 0), so a copy of one is the one dropped; then
        // each file's incidents with a new id, in order.
        var all = stored
        var fileOf = Array(repeating: 0, count: stored.count)
        for (number, file) in files.enumerated() {
            for incident in file where !storedIDs.contains(Identifier.normalized(incident.id)) {
                all.append(incident)
                fileOf.append(number + 1)
            }
        }
        let (kept, merges) = keptIndexes(all, fileOf: fileOf)
        let keptSet = Set(kept)
        var next = stored.count
        let result = files.map { file in
            file.filter { incident in
                if storedIDs.contains(Identifier.normalized(incident.id)) { return true }
                defer { next += 1 }
                return keptSet.contains(next)
            }
        }
        return (result, merges)
    }

    /// The indexes of `incidents` kept, in order, and one merge per copy.
    private func keptIndexes(_ incidents: [Incident], fileOf: [Int]) -> (kept: [Int], merges: [DuplicateMerge]) {
        var kept: [Int] = []
        var byID: [String: Int] = [:]
        // Kept incidents by day and by input: only incidents of other inputs can be copies, so a
        // file read alone (or a big one beside small ones) never scans its own hundreds of
        // incidents a day for each of its rows.
        var byDay: [Int: [Int: [Int]]] = [:]
        var merges: [DuplicateMerge] = []
        for (index, incident) in incidents.enumerated() {
            if let first = byID[incident.id] {
                merges.append(DuplicateMerge(keptID: incidents[first].id, droppedID: incident.id, reason: "same id"))
                continue
            }
            let day = Deduplicator.day(incident.time)
            var match: (index: Int, km: Double, days: Double)?
            for near in [day - 1, day, day + 1] where match == nil {
                guard let inputs = byDay[near], inputs.count > 1 || inputs[fileOf[index]] == nil else { continue }
                // The other inputs' incidents of that day in input order, as one list in file order
                // would visit them, so the first match is the same.
                let others = inputs.filter { $0.key != fileOf[index] }.map(\.value)
                let candidates = others.count == 1 ? others[0] : others.flatMap { $0 }.sorted()
                for candidate in candidates where match == nil {
                    let other = incidents[candidate]
                    let days = abs(other.time.timeIntervalSince(incident.time)) / 86_400
                    guard days <= Deduplicator.maxDays, compatible(other, incident) else { continue }
                    let km = Geodesic.wgs84.unchecked(from: other.location, to: incident.location).distanceKm
                    if km <= Deduplicator.maxKm { match = (candidate, km, days) }
                }
            }
            if let match {
                merges.append(DuplicateMerge(keptID: incidents[match.index].id, droppedID: incident.id,
                                             reason: String(format: "%.1f km apart, %.0f days apart", match.km, match.days)))
                continue
            }
            kept.append(index)
            byID[incident.id] = index
            byDay[day, default: [:]][fileOf[index], default: []].append(index)
        }
        return (kept, merges)
    }

    static func day(_ time: Date) -> Int {
        Int((time.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    private func compatible(_ a: Incident, _ b: Incident) -> Bool {
        if let ca = a.category, let cb = b.category, model.categoryKey(ca) != model.categoryKey(cb) { return false }
        return abs(a.killed - b.killed) <= max(2, 0.25 * max(a.killed, b.killed))
    }
}

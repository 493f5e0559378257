import Foundation
import Geo
import RiskCore
import RiskEngine
import Testing

/// `store import incidents` merges copies of what the store already holds (issue 9):
/// `Deduplicator.newOnly`.
@Suite struct StoreImportDuplicatesTests {
    static let day = 86_400.0
    /// A degree of latitude is 110.57 km at the equator and at most 111.70 km at the poles, so
    /// 0.02 degrees is 2.2 km (within the 5 km) and 0.1 degrees over 11 km (beyond it).
    static func incident(_ id: String, lat: Double, days: Double, killed: Double, category: String? = "bombing") -> Incident {
        Incident(id: id, location: Coordinate(67, lat), time: asOf.addingTimeInterval(days * day), killed: killed, injured: 0,
                 category: category)
    }

    @Test func copiesOfStoredIncidentsAreMergedAndUpdatesByIdKept() {
        let stored = [Self.incident("s1", lat: 25, days: 0, killed: 4)]
        let file = [
            // The stored incident again by id, with new casualties: an update, kept.
            Self.incident("s1", lat: 25, days: 0, killed: 5),
            // Another source's copy: a day later, 2.2 km away, 5 vs 4 killed (within max(2, 25 %)).
            Self.incident("copy", lat: 25.02, days: 1, killed: 5),
            // 11 km away: another event.
            Self.incident("far", lat: 25.1, days: 0, killed: 4),
            // Same place and day but 12 vs 4 killed: |12 - 4| = 8 > max(2, 3): not a copy.
            Self.incident("bigger", lat: 25.02, days: 0, killed: 12),
            // Two days later: not a copy.
            Self.incident("later", lat: 25, days: 2, killed: 4),
            // Another category: not a copy.
            Self.incident("kidnap", lat: 25, days: 0, killed: 4, category: "kidnapping"),
        ]
        let result = Deduplicator(model: Model()).newOnly([file], stored: stored)
        #expect(result.kept.map { $0.map(\.id) } == [["s1", "far", "bigger", "later", "kidnap"]])
        #expect(result.merges.map(\.keptID) == ["s1"] && result.merges.map(\.droppedID) == ["copy"])
    }

    @Test func copiesAcrossTheImportedFilesAreMergedTooAndRowsOfOneFileAreNot() {
        let first = [Self.incident("a1", lat: 26, days: 0, killed: 1), Self.incident("a2", lat: 26.001, days: 0, killed: 1)]
        let second = [Self.incident("b1", lat: 26.01, days: 0, killed: 1), Self.incident("a1", lat: 26, days: 0, killed: 1)]
        let result = Deduplicator(model: Model()).newOnly([first, second], stored: [])
        // a1 and a2 are twin rows of one file, both kept; b1 copies a1 (1.1 km away) and the
        // second file's a1 is the same id given twice.
        #expect(result.kept.map { $0.map(\.id) } == [["a1", "a2"], []])
        #expect(result.merges.map(\.droppedID) == ["b1", "a1"])
        #expect(result.merges.map(\.reason).last == "same id")
    }
}

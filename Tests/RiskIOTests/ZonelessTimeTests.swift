import Foundation
import Testing
@testable import RiskIO

/// Times with a time of day but no zone: UTC, a given zone, or refused.
@Suite struct ZonelessTimeTests {
    // Reference instants from `date -u -d 2026-11-30T03:00:00Z +%s` and the like.
    static let karachiEight = Date(timeIntervalSince1970: 1_796_007_600)  // 08:00 in Pakistan (UTC+5, no DST) = 03:00Z
    static let newYorkWinter = Date(timeIntervalSince1970: 1_768_482_000)  // 2026-01-15 08:00 EST (UTC-5) = 13:00Z
    static let newYorkSummer = Date(timeIntervalSince1970: 1_784_116_800)  // 2026-07-15 08:00 EDT (UTC-4) = 12:00Z

    @Test func aLocalZoneReadsTheWallClock() throws {
        let karachi = DateParser(zoneless: .local(try #require(TimeZone(identifier: "Asia/Karachi"))))
        #expect(karachi.parse("2026-11-30 08:00") == Self.karachiEight)
        #expect(karachi.parseISO8601("2026-11-30T08:00:00") == Self.karachiEight)
        // A written zone wins over the given one.
        #expect(karachi.parse("2026-11-30T03:00:00Z") == Self.karachiEight)
        #expect(karachi.parse("2026-11-30T08:00:00+05:00") == Self.karachiEight)
        let newYork = DateParser(zoneless: .local(try #require(TimeZone(identifier: "America/New_York"))))
        #expect(newYork.parse("2026-01-15 08:00") == Self.newYorkWinter)
        #expect(newYork.parse("2026-07-15 08:00") == Self.newYorkSummer)
    }

    @Test func refusedUnlessTheZoneIsWritten() {
        let strict = DateParser(zoneless: .rejected)
        #expect(strict.parse("2026-11-30 08:00") == nil)
        #expect(strict.parseISO8601("2026-11-30T08:00:00") == nil)
        #expect(strict.parse("2026-11-30T03:00:00Z") == Self.karachiEight)
        #expect(strict.parse("2026-11-30T08:00+05:00") == Self.karachiEight)
        #expect(DateParser.lacksZone("2026-11-30 08:00") && !DateParser.lacksZone("2026-11-30T03:00Z"))
        #expect(!DateParser.lacksZone("2026-11-30") && !DateParser.lacksZone("tomorrow"))
        // The default stays UTC, as incident exports are read.
        #expect(DateParser().parse("2026-11-30 03:00") == Self.karachiEight)
    }

    @Test func movementsAndRoutesNameTheRowOfAZonelessDeparture() throws {
        let csv = "id,route_id,departs_at\nm1,r1,2026-11-30 08:00\nm2,r1,2026-11-30T03:00:00Z\n"
        let refused = try MovementReader().read(.text(csv, name: "moves.csv"))
        #expect(refused.items.map(\.movement.id) == ["m2"])
        let warning = try #require(refused.warnings.first?.description)
        #expect(warning.contains("moves.csv") && warning.contains("line 2") && warning.contains("departs_at") && warning.contains("no zone"))
        let karachi = try MovementReader(zoneless: .local(try #require(TimeZone(identifier: "Asia/Karachi"))))
            .read(.text(csv, name: "moves.csv"))
        #expect(karachi.items.map(\.movement.departsAt) == [Self.karachiEight, Self.karachiEight])

        let route = #"{"type": "Feature", "properties": {"id": "r", "departs_at": "2026-11-30 08:00"}, "#
            + #""geometry": {"type": "LineString", "coordinates": [[67, 25], [67, 26]]}}"#
        let skipped = try RouteReader().parse(route, file: "r.geojson")
        #expect(skipped.items.isEmpty && skipped.warnings.first?.description.contains("no zone") == true)
        let read = try RouteReader(zoneless: .local(try #require(TimeZone(identifier: "Asia/Karachi")))).parse(route, file: "r.geojson")
        #expect(read.items.first?.departsAt == Self.karachiEight)
    }
}

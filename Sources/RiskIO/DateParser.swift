import Foundation
import RiskCore

/// Reads the dates that incident exports and route files actually contain, always as UTC.
///
/// Hand-written rather than `DateFormatter`-based so that the accepted forms are exactly the ones
/// listed here, independent of the machine's locale and time zone, and impossible dates
/// (30 February) are rejected instead of rolled over.
///
/// Accepted:
/// - ISO 8601: `2024-10-06` (00:00 UTC), `2024-10-06T18:45:00Z`, `2024-10-06 18:45`, offsets
///   `+05:00` / `+0500` / `+05`, fractional seconds. A time of day with no zone is read as
///   `zoneless` says: UTC (incident exports, the default), in a given zone, or not at all (the
///   planners' departures, where a silent UTC would shift every movement by hours).
/// - Spelled-out months (full or 3-letter, any case), with an optional weekday in front, separated
///   by any of `-`, `,`, space, `/`, `.`: `Sunday-November 19-1995`, `Friday, June 18, 2004`,
///   `18 June 2004`, `18-Jun-2004`. The weekday is recognised by its first three letters (so
///   `Thursay` passes) and not checked against the date: exports get it wrong more often than
///   the date itself.
/// - Numeric `a/b/yyyy`: month/day, or day/month with `dayFirst`; when the number in the month's
///   place is above 12 and the other is not, the two are swapped, since only one reading is
///   possible. `yyyy/mm/dd` is also read.
public struct DateParser: Sendable {
    /// How a date-time with a time of day but no zone or offset is read.
    public enum ZonelessTime: Sendable, Equatable {
        /// As UTC.
        case utc
        /// As the wall-clock time of this zone (such as `Asia/Karachi`).
        case local(TimeZone)
        /// Not at all: the text does not parse.
        case rejected
    }

    public var dayFirst: Bool
    public var zoneless: ZonelessTime

    public init(dayFirst: Bool = false, zoneless: ZonelessTime = .utc) {
        self.dayFirst = dayFirst
        self.zoneless = zoneless
    }

    /// Whether `text` is an ISO 8601 date-time that has a time of day but no zone, the form a
    /// `.rejected` parser refuses (so an error can say why).
    public static func lacksZone(_ text: String) -> Bool {
        DateParser(zoneless: .utc).parseISO8601(text) != nil && DateParser(zoneless: .rejected).parseISO8601(text) == nil
    }

    /// The instant, or nil when the text is none of the accepted forms or names an impossible date.
    public func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingBlanks()
        let bytes = Array(trimmed.utf8)
        if let date = parseISO(bytes) { return date }
        return parseWords(bytes)
    }

    /// Only the ISO 8601 forms; for fields the file format defines as ISO (a route's `departs_at`).
    public func parseISO8601(_ text: String) -> Date? {
        parseISO(Array(text.trimmingBlanks().utf8))
    }

    /// Why a refused zone-less time was refused, for the diagnostic naming its row.
    public static func zonelessReason(_ text: String) -> String {
        "\"\(text)\" has a time but no zone; add one (Z, +05:00) or read it in a zone with --timezone"
    }

    // MARK: ISO 8601

    private func parseISO(_ bytes: [UInt8]) -> Date? {
        var cursor = Cursor(bytes)
        guard let year = cursor.digits(exactly: 4), cursor.take("-"),
              let month = cursor.digits(exactly: 2), cursor.take("-"),
              let day = cursor.digits(exactly: 2),
              let days = DateParser.daysSinceEpoch(year: year, month: month, day: day)
        else { return nil }
        if cursor.atEnd { return DateParser.date(days: days, seconds: 0) }

        guard cursor.take("T") || cursor.take("t") || cursor.take(" "),
              let hour = cursor.digits(exactly: 2), hour < 24, cursor.take(":"),
              let minute = cursor.digits(exactly: 2), minute < 60
        else { return nil }
        var seconds = Double(hour * 3600 + minute * 60)
        if cursor.take(":") {
            guard let second = cursor.digits(exactly: 2), second < 60 else { return nil }
            seconds += Double(second)
            if cursor.take(".") || cursor.take(",") {
                guard let fraction = cursor.fraction() else { return nil }
                seconds += fraction
            }
        }

        _ = cursor.take(" ")
        if cursor.atEnd { return zonelessDate(days: days, seconds: seconds) }
        if cursor.take("Z") || cursor.take("z") {
            return cursor.atEnd ? DateParser.date(days: days, seconds: seconds) : nil
        }
        let sign: Double
        if cursor.take("+") {
            sign = 1
        } else if cursor.take("-") {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = cursor.digits(exactly: 2) else { return nil }
        var offsetMinutes = 0
        if !cursor.atEnd {
            _ = cursor.take(":")
            guard let minutes = cursor.digits(exactly: 2) else { return nil }
            offsetMinutes = minutes
        }
        // Real offsets run from -12:00 to +14:00.
        guard cursor.atEnd, offsetHours <= 14, offsetMinutes < 60 else { return nil }
        // Local time = UTC + offset, so UTC = local - offset.
        return DateParser.date(days: days, seconds: seconds - sign * Double(offsetHours * 3600 + offsetMinutes * 60))
    }

    /// A wall-clock time with no zone, read as `zoneless` says.
    private func zonelessDate(days: Int, seconds: Double) -> Date? {
        let wallClock = DateParser.date(days: days, seconds: seconds)
        switch zoneless {
        case .utc:
            return wallClock
        case .rejected:
            return nil
        case .local(let zone):
            // UTC = wall clock - offset, the offset taken at the instant itself: a first guess
            // with the offset at the wall-clock reading, then once more at the guess (exact
            // away from a change of offset; Pakistan keeps none).
            let guess = wallClock.addingTimeInterval(-Double(zone.secondsFromGMT(for: wallClock)))
            return wallClock.addingTimeInterval(-Double(zone.secondsFromGMT(for: guess)))
        }
    }

    // MARK: Words and numbers

    private enum Token {
        case word(String)
        case number(value: Int, digits: Int, ordinal: Bool)
    }

    private func parseWords(_ bytes: [UInt8]) -> Date? {
        guard var tokens = DateParser.tokens(bytes) else { return nil }
        if case .word(let first)? = tokens.first, DateParser.weekday(first) {
            tokens.removeFirst()
        }
        guard tokens.count == 3 else { return nil }

        switch (tokens[0], tokens[1], tokens[2]) {
        case (.word(let name), .number(let day, let dayDigits, _), .number(let year, 4, false)):
            guard dayDigits <= 2, let month = DateParser.month(name) else { return nil }
            return DateParser.date(year: year, month: month, day: day)
        case (.number(let day, let dayDigits, _), .word(let name), .number(let year, 4, false)):
            guard dayDigits <= 2, let month = DateParser.month(name) else { return nil }
            return DateParser.date(year: year, month: month, day: day)
        case (.number(let year, 4, false), .number(let month, let mDigits, false), .number(let day, let dDigits, false)):
            guard mDigits <= 2, dDigits <= 2 else { return nil }
            return DateParser.date(year: year, month: month, day: day)
        case (.number(let a, let aDigits, false), .number(let b, let bDigits, false), .number(let year, 4, false)):
            guard aDigits <= 2, bDigits <= 2 else { return nil }
            var (day, month) = dayFirst ? (a, b) : (b, a)
            if month > 12, day <= 12 { swap(&day, &month) }
            return DateParser.date(year: year, month: month, day: day)
        default:
            return nil
        }
    }

    /// Splits on the separators; nil when anything but ASCII letters, digits and separators occurs.
    private static func tokens(_ bytes: [UInt8]) -> [Token]? {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if separators.contains(byte) {
                index += 1
            } else if isLetter(byte) {
                let start = index
                while index < bytes.count, isLetter(bytes[index]) { index += 1 }
                tokens.append(.word(String(decoding: bytes[start..<index], as: UTF8.self).lowercased()))
            } else if isDigit(byte) {
                let start = index
                var value = 0
                while index < bytes.count, isDigit(bytes[index]) {
                    guard index - start < 9 else { return nil }
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                let digitCount = index - start
                // "19th": an ordinal suffix glued to a day number.
                var ordinal = false
                if index + 1 < bytes.count, isLetter(bytes[index]), isLetter(bytes[index + 1]),
                   index + 2 == bytes.count || !isLetter(bytes[index + 2]) {
                    let suffix = String(decoding: bytes[index..<index + 2], as: UTF8.self).lowercased()
                    guard ["st", "nd", "rd", "th"].contains(suffix) else { return nil }
                    ordinal = true
                    index += 2
                }
                tokens.append(.number(value: value, digits: digitCount, ordinal: ordinal))
            } else {
                return nil
            }
        }
        return tokens
    }

    private static let separators: Set<UInt8> = Set("-, /.\t".utf8)

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static let monthNames = ["january", "february", "march", "april", "may", "june", "july",
                                     "august", "september", "october", "november", "december"]
    private static let weekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// 1...12 for a full or 3-letter month name (and `sept`), lower-cased.
    private static func month(_ word: String) -> Int? {
        if word == "sept" { return 9 }
        for (index, name) in monthNames.enumerated() where word == name || (word.count == 3 && name.hasPrefix(word)) {
            return index + 1
        }
        return nil
    }

    /// A word starting with a weekday's 3-letter abbreviation: `Sun`, `Sunday`, `Tues`, `Thurs`,
    /// and also the misspellings that exports carry (`Thursay`), since the weekday is not used.
    private static func weekday(_ word: String) -> Bool {
        word.count >= 3 && weekdayNames.contains { $0.hasPrefix(word.prefix(3)) }
    }

    // MARK: Calendar arithmetic

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 in the proleptic Gregorian calendar, or nil for an impossible date.
    /// (Howard Hinnant's days_from_civil, which counts in 400-year eras of 146 097 days.)
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0, so the leap day ends the year
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func date(year: Int, month: Int, day: Int) -> Date? {
        daysSinceEpoch(year: year, month: month, day: day).map { date(days: $0, seconds: 0) }
    }

    private static func date(days: Int, seconds: Double) -> Date {
        Date(timeIntervalSince1970: Double(days) * 86_400 + seconds)
    }
}

/// A position in ASCII text, for the ISO reader.
private struct Cursor {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digits(exactly count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    /// The digits after a decimal mark, as a fraction of a second.
    mutating func fraction() -> Double? {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > start else { return nil }
        return Double("0." + String(decoding: bytes[start..<index], as: UTF8.self))
    }
}

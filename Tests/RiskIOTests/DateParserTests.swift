import Foundation
import Testing
@testable import RiskIO

@Suite struct DateParserTests {
    let parser = DateParser()

    // Reference values from `date -u -d 2024-10-06 +%s` and the like.
    static let oct6 = 1_728_172_800.0
    static let june18 = 1_087_516_800.0

    @Test func isoDateIsMidnightUTC() {
        #expect(parser.parse("2024-10-06") == epoch(Self.oct6))
        #expect(parser.parse("  2024-10-06 \n") == epoch(Self.oct6))
    }

    @Test func isoDateTimes() {
        let expected = epoch(1_728_240_300)  // 2024-10-06T18:45:00Z
        #expect(parser.parse("2024-10-06T18:45:00Z") == expected)
        #expect(parser.parse("2024-10-06T18:45:00") == expected)
        #expect(parser.parse("2024-10-06 18:45:00") == expected)
        #expect(parser.parse("2024-10-06T18:45Z") == expected)
        #expect(parser.parse("2024-10-06t18:45:00z") == expected)
        #expect(parser.parse("2024-10-06T18:45:00.250Z") == epoch(1_728_240_300.25))
        #expect(parser.parse("2024-10-06T18:45:00,5") == epoch(1_728_240_300.5))
    }

    @Test func isoOffsetsShiftToUTC() {
        // 18:45 at +05:00 is 13:45 UTC.
        let expected = epoch(1_728_222_300)
        #expect(parser.parse("2024-10-06T18:45:00+05:00") == expected)
        #expect(parser.parse("2024-10-06T18:45:00+0500") == expected)
        #expect(parser.parse("2024-10-06T18:45:00+05") == expected)
        #expect(parser.parse("2024-10-06 18:45:00 +05:00") == expected)
        // 08:45 at -05:00 is 13:45 UTC; an offset may carry the instant into another day.
        #expect(parser.parse("2024-10-06T08:45:00-05:00") == expected)
        #expect(parser.parse("2024-10-06T02:00:00+05:30") == epoch(Self.oct6 - 3.5 * 3600))
    }

    @Test func isoRejectsMalformedTimes() {
        for text in ["2024-10-06T24:00:00Z", "2024-10-06T18:60", "2024-10-06T18:45:61", "2024-10-06T18",
                     "2024-10-06T18:45:00+15:00", "2024-10-06T18:45:00Q", "2024-10-06T18:45:00.",
                     "2024-10-06T18:45:00+05:00x"] {
            #expect(parser.parse(text) == nil, "\(text)")
        }
    }

    @Test func spelledOutForms() {
        #expect(parser.parse("Sunday-November 19-1995") == epoch(816_739_200))
        #expect(parser.parse("Friday-November-24-2017") == epoch(1_511_481_600))
        #expect(parser.parse("Thursday-Oct-22-2015") == epoch(1_445_472_000))
        // A misspelt weekday is still a weekday; it is not checked against the date anyway.
        #expect(parser.parse("Thursay-Aug 27-2015") == epoch(1_440_633_600))
        #expect(parser.parse("Thurs, Aug 27, 2015") == epoch(1_440_633_600))
        for text in ["Friday, June 18, 2004", "June 18, 2004", "18 June 2004", "18-Jun-2004", "JUNE 18 2004",
                     "fri 18/jun/2004", "June 18th, 2004", "Jun. 18, 2004"] {
            #expect(parser.parse(text) == epoch(Self.june18), "\(text)")
        }
    }

    @Test func spelledOutRejectsWhatIsNotADate() {
        for text in ["Funday, June 18, 2004", "Th June 18 2004", "Juno 18, 2004", "June 31, 2004", "June 18", "June 18, 04",
                     "June 18 2004 extra", "Friday Friday June 18 2004", "June 123, 2004", "18 June 2004 12:00",
                     "Juni 18, 2004", "June 18x, 2004"] {
            #expect(parser.parse(text) == nil, "\(text)")
        }
    }

    @Test func numericMonthFirstUnlessTold() {
        #expect(parser.parse("06/18/2004") == epoch(Self.june18))
        #expect(parser.parse("6/18/2004") == epoch(Self.june18))
        // 18 cannot be a month, so it is the day even without dayFirst.
        #expect(parser.parse("18/06/2004") == epoch(Self.june18))
        // Ambiguous: month/day by default, day/month with dayFirst. 2004-03-04 and 2004-04-03.
        #expect(parser.parse("03/04/2004") == epoch(1_078_358_400))
        let dayFirst = DateParser(dayFirst: true)
        #expect(dayFirst.parse("03/04/2004") == epoch(1_080_950_400))
        #expect(dayFirst.parse("18/06/2004") == epoch(Self.june18))
        #expect(dayFirst.parse("18-06-2004") == epoch(Self.june18))
        #expect(dayFirst.parse("06/18/2004") == epoch(Self.june18))
        #expect(parser.parse("2004/06/18") == epoch(Self.june18))
        #expect(parser.parse("2004-6-18") == epoch(Self.june18))
    }

    @Test func leapDays() {
        #expect(parser.parse("2024-02-29") == epoch(1_709_164_800))
        #expect(parser.parse("2000-02-29") == epoch(951_782_400))  // divisible by 400: leap
        #expect(parser.parse("1900-02-29") == nil)  // divisible by 100 only: not leap
        #expect(parser.parse("2023-02-29") == nil)
        #expect(parser.parse("02/29/2024") == epoch(1_709_164_800))
        #expect(parser.parse("29 Feb 2024") == epoch(1_709_164_800))
        #expect(parser.parse("29 Feb 2023") == nil)
    }

    @Test func impossibleDates() {
        for text in ["2024-02-30", "2024-13-01", "2024-00-10", "2024-04-31", "02/30/2004", "13/13/2004",
                     "00/10/2004", "31 April 2004", "0 June 2004"] {
            #expect(parser.parse(text) == nil, "\(text)")
        }
    }

    @Test func garbageIsNil() {
        for text in ["", "   ", "N/A", "yesterday", "2024", "20241006", "1/2/3", "2024-10-06T18:45:00Zjunk", "ÿ 18 June 2004"] {
            #expect(parser.parse(text) == nil, "\(text)")
        }
    }

    @Test func beforeTheEpoch() {
        #expect(parser.parse("1969-07-20T20:17:00Z") == epoch(-14_182_980))
    }

    @Test func isoOnlyEntryPointRefusesSpelledOutDates() {
        #expect(parser.parseISO8601("2024-10-06T18:45:00Z") == epoch(1_728_240_300))
        #expect(parser.parseISO8601("June 18, 2004") == nil)
        #expect(parser.parseISO8601("06/18/2004") == nil)
    }
}

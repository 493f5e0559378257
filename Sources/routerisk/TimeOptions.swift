import ArgumentParser
import Foundation
import RiskIO

/// `--timezone`: the zone that times written without one are read in (departures, `--as-of`,
/// `--evaluate-at`) and that tables show times in. Without it such times are refused, naming the
/// row or option, since reading them as UTC would silently shift every movement by hours.
/// Output times stay ISO 8601 with an offset.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read times written without a zone in this zone, and show table times in it (IANA name).",
                               valueName: "zone, e.g. Asia/Karachi"))
    var timezone: String?

    /// The zone asked for; a name the system does not know is a usage error.
    func zone() throws -> TimeZone? {
        guard let timezone else { return nil }
        guard let zone = TimeZone(identifier: timezone) else {
            throw ValidationError("--timezone: \"\(timezone)\" is not a time zone name such as Asia/Karachi or UTC")
        }
        return zone
    }

    /// How inputs' departures without a zone are read.
    func zoneless() throws -> DateParser.ZonelessTime {
        try zone().map { .local($0) } ?? .rejected
    }

    /// An ISO 8601 time given as `option`; nil when not given.
    func parse(_ text: String?, option: String) throws -> Date? {
        guard let text else { return nil }
        return try TimeOptions.parse(text, option: option, zoneless: try zoneless())
    }

    /// An ISO 8601 time given as `option`, a time without a zone read as `zoneless` says.
    static func parse(_ text: String, option: String, zoneless: DateParser.ZonelessTime) throws -> Date {
        guard let date = DateParser(zoneless: zoneless).parseISO8601(text) else {
            if DateParser.lacksZone(text) { throw ValidationError("\(option): " + DateParser.zonelessReason(text)) }
            throw ValidationError("\(option): \"\(text)\" is not an ISO 8601 date or date-time")
        }
        return date
    }

    func validate() throws {
        _ = try zone()
    }
}

import Foundation

/// The one identity rule for ids (incidents, zones, routes, movements): two ids are the same
/// when their Unicode NFC forms are the same. Swift's `==` already treats canonically equivalent
/// strings as equal while SQLite compares bytes, so every reader and every store passes ids
/// through `normalized` and the two agree: `café` typed precomposed or decomposed is one id.
public enum Identifier {
    /// The NFC form of `raw`, the form every id is kept and compared in.
    public static func normalized(_ raw: String) -> String {
        raw.precomposedStringWithCanonicalMapping
    }

    /// Why `id` cannot be an id, or nil when it can. Control characters are refused: a NUL is
    /// cut off by C APIs (two ids would become one row), CR and LF split lines and rows, and
    /// escape codes would reach the terminal when the id is printed.
    public static func flaw(_ id: String) -> String? {
        if id.isEmpty { return "is empty" }
        if let bad = id.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            return "contains the control character U+\(String(format: "%04X", bad.value))"
        }
        return nil
    }
}

/// `text` made safe to print on a terminal: each control character (escape codes that clear or
/// retitle the terminal, carriage returns that overwrite a line, line breaks that forge lines)
/// is shown as `\u{XX}` instead of acting. Names, ids and reasons quoting input go through it
/// before they reach a table or stderr.
public func terminalSafe(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.properties.generalCategory == .control {
            out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

extension String {
    /// The string without blanks at either end: the same characters as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` removes (Unicode's White_Space property,
    /// which is Zs, tab and the line ends, plus the zero-width space that Foundation counts too),
    /// without Foundation's bridging, and with no copy when there is nothing to trim, as in nearly
    /// every field of a big file. `CSVTests` checks it against Foundation scalar by scalar.
    package func trimmingBlanks() -> String {
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            // ASCII first: the Unicode property lookup is slow, and nearly every end is ASCII.
            if scalar.value < 0x80 { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
            return scalar.properties.isWhitespace || scalar.value == 0x200B
        }
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return self }
        guard blank(first) || blank(last) else { return self }
        guard let start = scalars.firstIndex(where: { !blank($0) }) else { return "" }
        let end = scalars.lastIndex(where: { !blank($0) })!
        return String(scalars[start...end])
    }
}

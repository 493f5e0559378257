import Foundation

/// What a bearer token may do. A write token may also read.
public enum Role: String, Sendable, Comparable {
    case read, write

    public static func < (lhs: Role, rhs: Role) -> Bool {
        lhs == .read && rhs == .write
    }
}

/// The bearer tokens the server accepts, kept as SHA-256 digests so the file never holds a
/// usable secret.
///
/// The file has one token a line: `ROLE SHA256-HEX [LABEL]`, `ROLE` being `read` or `write` and
/// `LABEL` a free note (who holds it); blank lines and lines starting with `#` are ignored.
public struct TokenTable: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var role: Role
        var label: String
    }

    private var entries: [String: Entry]

    public init() {
        entries = [:]
    }

    /// Parses the token file's text; `file` names it in errors.
    public init(parsing text: String, file: String) throws(TokenFileError) {
        entries = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(maxSplits: 2, whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            func fail(_ reason: String) -> TokenFileError {
                TokenFileError(description: "\(file): line \(index + 1): \(reason)")
            }
            guard fields.count >= 2 else { throw fail("expected \"ROLE SHA256-HEX [LABEL]\"") }
            guard let role = Role(rawValue: fields[0]) else {
                throw fail("role must be \"read\" or \"write\", got \"\(fields[0])\"")
            }
            let digest = fields[1].lowercased()
            guard digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
                throw fail("the digest must be 64 hexadecimal digits (the token's SHA-256)")
            }
            guard entries[digest] == nil else { throw fail("this digest is listed twice") }
            entries[digest] = Entry(role: role, label: fields.count > 2 ? fields[2] : "")
        }
    }

    public static func read(contentsOf url: URL) throws -> TokenTable {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TokenFileError(description: "\(url.relativePath): cannot read the token file: \(error.localizedDescription)")
        }
        return try TokenTable(parsing: text, file: url.relativePath)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// The role of a presented token, or nil when it is not listed.
    public func role(of token: String) -> Role? {
        entries[SHA256.hex(Array(token.utf8))]?.role
    }

    /// A new random token (256 bits, base64url) and the line that lists its digest.
    public static func newToken(role: Role, label: String) -> (token: String, line: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let line = [role.rawValue, SHA256.hex(Array(token.utf8)), label].filter { !$0.isEmpty }.joined(separator: " ")
        return (token, line)
    }
}

public struct TokenFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

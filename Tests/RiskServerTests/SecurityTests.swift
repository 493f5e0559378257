import Foundation
import Testing
@testable import RiskServer

@Suite struct SHA256Tests {
    /// FIPS 180-2's examples (appendix B) and the empty message.
    @Test func matchesTheStandardsExamples() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 56 bytes: the padding needs a second block.
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite struct TokenTableTests {
    @Test func looksUpRolesByTheTokensDigest() throws {
        let text = """
        # planners
        read ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad dashboard
        write \("s3cret".sha256.uppercased())

        """
        let table = try TokenTable(parsing: text, file: "tokens")
        #expect(table.role(of: "abc") == .read)
        #expect(table.role(of: "s3cret") == .write)
        #expect(table.role(of: "s3cret ") == nil)
        #expect(table.role(of: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == nil)
    }

    @Test func badLinesNameTheLineAndReason() {
        func error(_ text: String) -> String {
            do {
                _ = try TokenTable(parsing: text, file: "tokens.txt")
                return ""
            } catch {
                return error.description
            }
        }
        #expect(error("admin \("x".sha256)") == "tokens.txt: line 1: role must be \"read\" or \"write\", got \"admin\"")
        #expect(error("\nread abc") == "tokens.txt: line 2: the digest must be 64 hexadecimal digits (the token's SHA-256)")
        #expect(error("read") == "tokens.txt: line 1: expected \"ROLE SHA256-HEX [LABEL]\"")
        #expect(error("read \("x".sha256)\nwrite \("x".sha256)") == "tokens.txt: line 2: this digest is listed twice")
    }

    @Test func newTokensAreListedByTheirLine() throws {
        let (token, line) = TokenTable.newToken(role: .write, label: "dispatch")
        #expect(token.count == 43)  // 32 bytes in unpadded base64url
        #expect(!line.contains(token))
        let table = try TokenTable(parsing: line, file: "t")
        #expect(table.role(of: token) == .write)
        #expect(TokenTable.newToken(role: .read, label: "").token != token)
    }
}

extension String {
    var sha256: String { SHA256.hex(Array(utf8)) }
}

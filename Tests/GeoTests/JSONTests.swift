import Testing
@testable import Geo

@Suite struct JSONTests {
    @Test func parsesEveryKindKeepingMemberOrder() throws {
        let value = try JSONValue.parse(#"{"z": [1, -2.5e3, true, false, null], "a": {"s": "q\"\\\/\n\u00e9\ud83d\ude00"}}"#)
        #expect(value.objectMembers?.map(\.key) == ["z", "a"])
        #expect(value["z"] == [1, -2500, true, false, nil])
        #expect(value["a"]?["s"] == .string("q\"\\/\né😀"))
        // Serializing and parsing again gives the same value.
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    }

    @Test func syntaxErrorsNameLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7, "expected ':'"),
            ("[1, 2", 1, 6, "unexpected end"),
            ("{\"a\": tru}", 1, 7, "expected 'true'"),
            ("[1.]", 1, 4, "digits after '.'"),
            ("\"abc", 1, 5, "unterminated string"),
            ("[1] x", 1, 5, "unexpected text"),
        ]
        for (text, line, column, reason) in cases {
            #expect {
                _ = try JSONValue.parse(text)
            } throws: { error in
                guard let syntax = error as? JSONSyntaxError else { return false }
                return syntax.line == line && syntax.column == column && syntax.reason.contains(reason)
            }
        }
    }

    @Test func numbersSerializeCompactly() {
        #expect(JSONValue.format(3) == "3")
        #expect(JSONValue.format(-0.25) == "-0.25")
        #expect(JSONValue.format(.nan) == "null")
        #expect(JSONValue.string("a\u{01}b").serialized() == "\"a\\u0001b\"")
    }
}

import Scheduling
import XCTest

/// The protocol's JSON reader and writer: strict parsing with byte offsets, exact integers, round-trip doubles.
final class JSONParserTests: XCTestCase {
    func testParsesNestedValuesInOrder() throws {
        let v = try JSONParser.parse(#" {"b": [1, -2, 3.5, 1e3], "a": {"x": null, "y": true}, "s": "q\"\\\u00e9\n"} "#)
        guard case .object(let members) = v else { return XCTFail("not an object: \(v)") }
        XCTAssertEqual(members.map(\.key), ["b", "a", "s"])
        XCTAssertEqual(v["b"], .array([.int(1), .int(-2), .double(3.5), .double(1000)]))
        XCTAssertEqual(v["a"]?["y"], .bool(true))
        XCTAssertEqual(v["s"], .string("q\"\\é\n"))
    }

    func testIntegersStayExact() throws {
        XCTAssertEqual(try JSONParser.parse("9223372036854775807"), .int(.max))
        XCTAssertEqual(try JSONParser.parse("1234567890123456789"), .int(1_234_567_890_123_456_789))
        // Beyond 64 bits it is a double, not a wrapped integer.
        XCTAssertEqual(try JSONParser.parse("18446744073709551616"), .double(18446744073709551616))
    }

    func testErrorsNameTheByte() {
        for (text, offset, fragment) in [
            ("[1, 2", 5, "expected ',' or ']'"), ("[1,, 2]", 3, "expected a value"), ("{\"a\" 1}", 5, "expected ':'"),
            ("[01]", 1, "must not start with 0"), ("[1] x", 4, "end of the line"), ("\"abc", 4, "unterminated"),
            ("tru", 0, "expected 'true'"), ("", 0, "found the end"),
        ] {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
                guard let f = error as? JSONParser.Failure else { return XCTFail("\(error)") }
                XCTAssertEqual(f.offset, offset, "\(text): \(f)")
                XCTAssertTrue(f.message.contains(fragment), "\(text): \(f)")
            }
        }
    }

    func testRejectsHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONParser.parse(deep))
    }

    func testWriterRoundTripsThroughTheParser() throws {
        var w = JSONWriter()
        let doubles = [0.1, 1e-06, 123456.789, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -0.0, 3.0, 2.5e20]
        w.value(.array([.int(-9_223_372_036_854_775_807 - 1), .int(0), .int(42), .string("tab\there \"q\" \u{1}")]
            + doubles.map(JSONValue.double)))
        let parsed = try JSONParser.parse(w.bytes[...])
        guard case .array(let items) = parsed else { return XCTFail("\(parsed)") }
        XCTAssertEqual(items[0], .int(.min))
        XCTAssertEqual(items[2], .int(42))
        XCTAssertEqual(items[3], .string("tab\there \"q\" \u{1}"))
        for (k, d) in doubles.enumerated() {
            switch items[4 + k] {
            case .double(let x): XCTAssertEqual(x.bitPattern, d.bitPattern, "\(d)")
            case .int(let i): XCTFail("\(d) came back as the integer \(i)")
            default: XCTFail("\(items[4 + k])")
            }
        }
        // Python reads the same text to the same values (the protocol's other end).
        let text = String(decoding: w.bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("[-9223372036854775808,0,42,\"tab\\there \\\"q\\\" \\u0001\",0.1,1e-06,"), text)
    }
}

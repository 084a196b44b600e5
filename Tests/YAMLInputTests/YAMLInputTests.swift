import Workload
import XCTest
import YAMLInput
import Yams

/// `YAMLInput`'s checks: collection keys and alias expansion refused with their line, everything SchedLab's files
/// use let through to Yams unchanged, malformed YAML left to Yams.
final class YAMLInputTests: XCTestCase {
    func testScenarioShapedYAMLPasses() throws {
        let text = """
            name: x
            cluster:
              racks:
                - {name: r, nodes: [{template: dgx-a100, count: 2}]}
            defaults: &d {count: 1}
            list: [*d, *d, {<<: *d, extra: "? not a key"}]
            text: |
              ? inside a block scalar: not a key
              [a]: nor this
            key: &k plain
            *k : an alias of a scalar, as a key
            """
        XCTAssertNil(YAMLInput.check(text))
        XCTAssertEqual(try YAMLInput.compose(yaml: text, file: "f.yaml"), try Yams.compose(yaml: text))
        XCTAssertNil(YAMLInput.check(""))
    }

    func testCollectionKeysAreRefusedWithTheirLine() {
        XCTAssertEqual(YAMLInput.check("a: 1\n? [x, y]\n: 2\n"), .collectionKey(line: 2, kind: "sequence"))
        XCTAssertEqual(YAMLInput.check("a:\n  b:\n    {c: 1}: 2\n"), .collectionKey(line: 3, kind: "mapping"))
        XCTAssertEqual(YAMLInput.check("- [1, {? {a: b} : c}]\n"), .collectionKey(line: 1, kind: "mapping"))
        XCTAssertEqual(YAMLInput.check("l: &l [1]\nm:\n  *l : 2\n"), .collectionKey(line: 3, kind: "alias of a collection"))
        // A value that is a collection is fine; so is a key after a collection value.
        XCTAssertNil(YAMLInput.check("a: [1, 2]\nb: {c: d}\ne: f\n"))
    }

    func testComposeThrowsAnInputErrorNamingFileAndLine() {
        XCTAssertThrowsError(try YAMLInput.compose(yaml: "a: 1\n? {b: c}\n: d\n", file: "s.yaml")) { error in
            XCTAssertEqual(error as? InputError, InputError(file: "s.yaml", line: 2,
                message: "a mapping key must be a plain value, found a mapping as a key"))
        }
    }

    // The shape fuzzing found (Tests/HostileInputTests/Corpus/scenarios/found-collection-key-*): a mapping that repeats
    // two keys which are deeply nested collections alike but for their last element. Yams sorts repeated keys to name
    // them, and comparing these two takes time exponential in their depth: before the check, `schedlab check` took
    // 0.02, 0.05 and 0.17 s at depths 14, 16 and 18 (about ×1.8 a level), so depth 40 would take days. The check
    // refuses them at once, before Yams sees the text.
    func testDeepRepeatedCollectionKeysAreRefusedBeforeYams() throws {
        var deep = "x"
        for _ in 0..<40 { deep = "[\(deep), x]" }  // 40 deep, 120-odd characters
        let (k1, k2) = ("[\(deep), y]", "[\(deep), z]")
        let text = "a: 1\n? \(k1)\n: 1\n? \(k1)\n: 2\n? \(k2)\n: 3\n? \(k2)\n: 4\n"
        XCTAssertEqual(YAMLInput.check(text), .collectionKey(line: 2, kind: "sequence"))
        XCTAssertThrowsError(try YAMLInput.compose(yaml: text, file: "k.yaml")) { XCTAssertTrue($0 is InputError) }
    }

    // Nine aliases of a list of nine aliases of …: 9^k values from a few lines. A little aliasing passes; the
    // expansion past `maxAliasExpansion` is refused at the alias that crosses it.
    func testAliasExpansionIsCapped() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for k in 1..<10 {
            lines.append("a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 9).joined(separator: ", ") + "]")
        }
        // Level k adds 9 copies of level k − 1: 10, 91, 820, … values; the running total of added values passes
        // 1,000,000 during level 6 (line 7), whose aliases each add 9^5 + … + 1 = 66,430 values.
        XCTAssertNil(YAMLInput.check(lines.prefix(5).joined(separator: "\n")))
        XCTAssertEqual(YAMLInput.check(lines.joined(separator: "\n")), .aliasExpansion(line: 7))
        XCTAssertTrue(YAMLInput.Finding.aliasExpansion(line: 7).message.contains("1000000"))
    }

    func testMalformedYAMLIsLeftToYams() {
        let text = "a: [1, 2\nb: 3\n"
        XCTAssertNil(YAMLInput.check(text))
        XCTAssertThrowsError(try YAMLInput.compose(yaml: text, file: "m.yaml")) { XCTAssertTrue($0 is YamlError) }
    }
}

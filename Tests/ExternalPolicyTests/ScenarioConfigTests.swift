import Foundation
import Scenario
import Scheduling
import Workload
import XCTest

/// `policy: {name: external, command: [...], timeout_s, files, params}` in scenarios and on the command line: what
/// is accepted, what is refused (naming the field), and what goes into the scenario hash.
final class ScenarioConfigTests: XCTestCase {
    typealias S = ExternalTestSupport

    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-external-config-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// Writes `text` to `name` in the test's directory; its path.
    @discardableResult
    private func write(_ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func scenarioFile(policy: String) throws -> String {
        try write("scenario.yaml", S.singleType(jobs: 10) + policy)
    }

    private func inputError(_ body: () throws -> Any) -> InputError? {
        do {
            _ = try body()
            XCTFail("accepted")
            return nil
        } catch let e as InputError {
            return e
        } catch {
            XCTFail("not an input error: \(error)")
            return nil
        }
    }

    func testExternalPolicyIsConfiguredFromTheScenario() throws {
        try write("policy.py", "print('hi')\n")
        let path = try scenarioFile(policy: """
            policy:
              name: external
              command: [python3, policy.py, --flag]
              timeout_s: 2.5
              params: {b: [1, 2.5], a: {z: null, y: "s"}}

            """)
        let scenario = try ScenarioLoader.load(path: path)
        let external = try XCTUnwrap(scenario.policy as? ExternalPolicy)
        XCTAssertEqual(scenario.policyName, "external")
        XCTAssertEqual(external.configuration.command, ["python3", "policy.py", "--flag"])
        XCTAssertEqual(external.configuration.timeoutSeconds, 2.5)
        XCTAssertEqual(external.configuration.workingDirectory, dir.path)
        // Keys sorted (a YAML mapping has no order), numbers as integers or doubles.
        XCTAssertEqual(external.configuration.parameters, .object([
            ("a", .object([("y", .string("s")), ("z", .null)])), ("b", .array([.int(1), .double(2.5)])),
        ]))
        XCTAssertEqual(scenario.policyFiles, [dir.appendingPathComponent("policy.py").path], "python3 and --flag are not files")
    }

    /// The policy's files are part of the run's provenance: changing one changes the scenario hash; the checkout's
    /// location does not.
    func testPolicyFilesAreHashed() throws {
        try write("policy.py", "# version 1\n")
        try write("weights.json", "[1, 2]\n")
        let policy = "policy:\n  name: external\n  command: [python3, policy.py]\n  files: [weights.json]\n"
        let path = try scenarioFile(policy: policy)
        let first = try ScenarioLoader.load(path: path)
        XCTAssertEqual(first.policyFiles.map { URL(fileURLWithPath: $0).lastPathComponent }, ["policy.py", "weights.json"])
        XCTAssertEqual(try ScenarioLoader.load(path: path).hash, first.hash, "the hash is a function of the files")
        try write("policy.py", "# version 2\n")
        let second = try ScenarioLoader.load(path: path)
        XCTAssertNotEqual(second.hash, first.hash, "editing the policy file must change the hash")
        try write("weights.json", "[1, 3]\n")
        XCTAssertNotEqual(try ScenarioLoader.load(path: path).hash, second.hash, "editing a listed file must change the hash")

        // The same files in another directory: the same hash.
        let other = dir.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        for name in ["policy.py", "weights.json", "scenario.yaml"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent(name), to: other.appendingPathComponent(name))
        }
        XCTAssertEqual(try ScenarioLoader.load(path: other.appendingPathComponent("scenario.yaml").path).hash,
                       try ScenarioLoader.load(path: path).hash)
    }

    func testMissingListedFileIsAnInputError() throws {
        let path = try scenarioFile(policy: "policy:\n  name: external\n  command: [python3, p.py]\n  files: [nowhere.npz]\n")
        let e = try XCTUnwrap(inputError { try ScenarioLoader.load(path: path) })
        XCTAssertEqual(e.field, "policy.files")
        XCTAssertTrue(e.message.contains("nowhere.npz"), e.message)
    }

    func testExternalWithoutCommand() throws {
        let path = try scenarioFile(policy: "policy:\n  name: external\n")
        let e = try XCTUnwrap(inputError { try ScenarioLoader.load(path: path) })
        XCTAssertEqual(e.field, "policy.command")
        XCTAssertTrue(e.message.contains("needs 'command'"), e.message)
    }

    func testCommandFieldsBelongToExternalOnly() throws {
        for (field, value) in [("command", "[python3, p.py]"), ("timeout_s", "3"), ("files", "[a]")] {
            let path = try scenarioFile(policy: "policy:\n  name: fifo\n  \(field): \(value)\n")
            let e = try XCTUnwrap(inputError { try ScenarioLoader.load(path: path) })
            XCTAssertEqual(e.field, "policy.\(field)")
            XCTAssertTrue(e.message.contains("only for policy 'external'"), e.message)
        }
    }

    func testBadValues() throws {
        for (policy, field, fragment) in [
            ("  command: []\n", "policy.command", "the program and its arguments"),
            ("  command: [python3]\n  timeout_s: 0\n", "policy.timeout_s", "expected seconds"),
            ("  command: [python3]\n  params: [1, 2]\n", "policy.params", "expected a mapping"),
        ] {
            let path = try scenarioFile(policy: "policy:\n  name: external\n" + policy)
            let e = try XCTUnwrap(inputError { try ScenarioLoader.load(path: path) })
            XCTAssertEqual(e.field, field, "\(e)")
            XCTAssertTrue(e.message.contains(fragment), "\(e)")
        }
    }

    /// `--policy external` with `--set policy.command=...`: the file's params (for its own policy) are dropped.
    func testPolicyOverrideOnTheCommandLine() throws {
        let path = try scenarioFile(policy: "policy:\n  name: tiresias\n  params: {service: time}\n")
        let scenario = try ScenarioLoader.load(path: path, overrides: [try ScenarioOverride("policy.command=[python3, x.py]")],
                                               policy: "external")
        let external = try XCTUnwrap(scenario.policy as? ExternalPolicy)
        XCTAssertEqual(external.configuration.command, ["python3", "x.py"])
        XCTAssertEqual(external.configuration.parameters, .object([]))
        XCTAssertTrue(scenario.text.contains("external"), "the recorded scenario is the one that ran")

        let e = try XCTUnwrap(inputError { try ScenarioLoader.load(path: path, policy: "external") })
        XCTAssertTrue(e.message.contains("needs 'command'"), "\(e)")
        // And back: an external scenario run with a Swift policy.
        let external2 = try scenarioFile(policy: "policy:\n  name: external\n  command: [python3, x.py]\n")
        XCTAssertEqual(try ScenarioLoader.load(path: external2, policy: "fifo").policyName, "fifo")
    }

    func testCatalogListsExternalWithItsFields() {
        let entry = PolicyCatalog.entry("external")
        XCTAssertNotNil(entry)
        XCTAssertTrue(entry?.parameters.contains { $0.hasPrefix("command") } ?? false)
        XCTAssertFalse(PolicyCatalog.all.contains { $0.name == "external" }, "all is the policies that run with defaults")
        XCTAssertThrowsError(try entry?.make(nil))
    }
}

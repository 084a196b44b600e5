import Crypto
import Foundation
import Scenario
import Workload
import XCTest

/// `--set PATH=VALUE` overrides and loading from text: each kind of override acts exactly as the same change
/// written in the file, bad overrides are located errors naming the override, and the recorded text and hash
/// are those of the effective scenario.
final class ScenarioOverrideTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-override-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// One DGX-A100 node, 20 jobs at 0.9 offered load, FIFO.
    private static let base = """
        name: tiny
        seed: 5
        cluster:
          racks:
            - nodes:
                - template: dgx-a100
                  count: 1
        workload:
          synthetic:
            jobs: 20
            arrivals: {process: poisson, load: 0.9}
            gpus: {categorical: {values: [1, 2, 4, 8], weights: [4, 3, 2, 1]}}
            duration_s: {lognormal: {mu: 6.0, sigma: 0.8}}
        policy:
          name: fifo
          placement: packed

        """

    @discardableResult
    private func write(_ text: String, to name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func load(_ sets: String..., text: String = base) throws -> Scenario {
        try ScenarioLoader.load(path: try write(text, to: "s.yaml"), overrides: try sets.map { try ScenarioOverride($0) })
    }

    private func error(_ sets: String..., text: String = base, file: StaticString = #filePath, line: UInt = #line) -> InputError? {
        do {
            _ = try ScenarioLoader.load(path: try write(text, to: "s.yaml"), overrides: try sets.map { try ScenarioOverride($0) })
            XCTFail("loaded despite \(sets)", file: file, line: line)
        } catch let e as InputError {
            return e
        } catch {
            XCTFail("not an InputError: \(error)", file: file, line: line)
        }
        return nil
    }

    private func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func submits(_ s: Scenario) -> [Int64] { s.jobs.map(\.submitTime.nanoseconds) }

    // MARK: - Each kind of override equals the same edit in the file

    func testScalarOverrideOfAString() throws {
        let s = try load("policy.name=sjf")
        XCTAssertEqual(s.policyName, "sjf")
        XCTAssertEqual(s.name, "tiny")
    }

    func testNumberOverrideDeepInTheTreeEqualsTheEditedFile() throws {
        let overridden = try load("workload.synthetic.arrivals.load=0.7")
        let edited = try ScenarioLoader.load(path: try write(
            Self.base.replacingOccurrences(of: "load: 0.9", with: "load: 0.7"), to: "edited.yaml"))
        XCTAssertEqual(submits(overridden), submits(edited))
        XCTAssertNotEqual(submits(overridden), submits(try load()), "a lower load spreads the same jobs out")
    }

    func testSeedOverrideEqualsTheEditedFile() throws {
        let overridden = try load("seed=7")
        XCTAssertEqual(overridden.seed, 7)
        let edited = try ScenarioLoader.load(path: try write(Self.base.replacingOccurrences(of: "seed: 5", with: "seed: 7"), to: "e.yaml"))
        XCTAssertEqual(submits(overridden), submits(edited))
        // --seed still wins over the file, overridden or not.
        XCTAssertEqual(try ScenarioLoader.load(path: try write(Self.base, to: "s.yaml"), overrides: [try ScenarioOverride("seed=7")],
                                               seed: 9).seed, 9)
    }

    func testFlowMappingValueCreatesAMissingField() throws {
        let s = try load("policy.name=backfill", "policy.params={depth: 10}")
        XCTAssertEqual(s.policyName, "backfill")
        XCTAssertEqual(s.policyParameters, "depth: 10")
    }

    func testMissingIntermediateMappingsAreCreated() throws {
        XCTAssertNil(try load().interconnect)
        let s = try load("network.oversubscription=4")  // no `network:` in the file: the section is created
        XCTAssertNotNil(s.interconnect)
        XCTAssertTrue(s.text.contains("network:\n  oversubscription: 4\n"), s.text)
    }

    func testListPositionOverride() throws {
        XCTAssertEqual(try load("cluster.racks[0].nodes[0].count=3").topology.gpuCount, 24)
    }

    func testQuotedValueStaysAString() throws {
        XCTAssertEqual(try load("name='007'").name, "007")
    }

    func testLaterOverrideOfTheSamePathWins() throws {
        XCTAssertEqual(try load("policy.name=sjf", "policy.name=backfill").policyName, "backfill")
    }

    // MARK: - Errors name the override

    func testUnknownFieldIsRejectedAsInAFile() throws {
        let e = try XCTUnwrap(error("policy.priority=3"))
        XCTAssertEqual(e.file, "--set policy.priority=3")
        XCTAssertEqual(e.field, "policy.priority")
        XCTAssertTrue(e.message.hasPrefix("unknown field 'priority'; expected one of: name, placement, params"), "\(e)")
    }

    func testBadValueIsTheOverridesError() throws {
        let e = try XCTUnwrap(error("workload.synthetic.jobs=many"))
        XCTAssertEqual(e.description, "--set workload.synthetic.jobs=many: workload.synthetic.jobs: expected an integer")
        let policy = try XCTUnwrap(error("policy.name=lifo"))
        XCTAssertEqual(policy.file, "--set policy.name=lifo")
        XCTAssertTrue(policy.message.contains("unknown policy 'lifo'"), "\(policy)")
    }

    func testPathThroughAScalarOrListIsAnError() throws {
        XCTAssertEqual(error("policy.name.x=1")?.description,
                       "--set policy.name.x=1: policy.name: a single value 'fifo', not a mapping, so it has no field 'x'")
        XCTAssertEqual(error("cluster.racks.name=r")?.description,
                       "--set cluster.racks.name=r: cluster.racks: a list, not a mapping, so it has no field 'name'")
        XCTAssertEqual(error("cluster.racks[1].name=r")?.description,
                       "--set cluster.racks[1].name=r: cluster.racks: a list of 1 entry, so [1] is out of range "
                       + "(--set changes list entries but does not add them)")
        XCTAssertEqual(error("policy[0]=x")?.description,
                       "--set policy[0]=x: policy: a mapping, not a list, so it has no position [0]")
    }

    func testMalformedOverrides() {
        func parse(_ text: String) -> String? {
            do { _ = try ScenarioOverride(text); return nil } catch { return error.description }
        }
        XCTAssertEqual(parse("policy.name"), "--set policy.name: expected PATH=VALUE, e.g. policy.name=sjf")
        XCTAssertEqual(parse(".seed=1"), "--set .seed=1: malformed path '.seed': expected dotted field names such as "
                       + "workload.synthetic.jobs, with list positions as [i]")
        XCTAssertEqual(parse("cluster.racks[x].name=a"),
                       "--set cluster.racks[x].name=a: malformed list position '[x]' in 'cluster.racks[x].name': expected [i] with i >= 0")
        XCTAssertEqual(error("seed=")?.description, "--set seed=: empty value; give a YAML value (write '' for an empty string)")
        XCTAssertEqual(error("policy.params={depth: 10")?.file, "--set policy.params={depth: 10")
        XCTAssertTrue(error("policy.params={depth: 10")?.message.hasPrefix("malformed YAML value: ") ?? false)
        // A key that is a collection is refused before the YAML library reads the value (`YAMLInput`), without the
        // one-line value's line number.
        let key = error("policy.params={? [a]: 1}")
        XCTAssertEqual(key?.file, "--set policy.params={? [a]: 1}")
        XCTAssertNil(key?.line)
        XCTAssertEqual(key?.message, "a mapping key must be a plain value, found a sequence as a key")
    }

    /// A misspelt field created by the override's path is the override's error, though reported at the new key.
    func testUnknownFieldOnTheWayIsTheOverrides() throws {
        let e = try XCTUnwrap(error("workload.synthetic.arival.load=0.5"))
        XCTAssertEqual(e.file, "--set workload.synthetic.arival.load=0.5")
        XCTAssertNil(e.line)
        XCTAssertEqual(e.field, "workload.synthetic.arival")
        XCTAssertTrue(e.message.hasPrefix("unknown field 'arival'"), "\(e)")
    }

    /// An error at a field above the override stays located in the file and mentions the override.
    func testConflictWithTheFileNamesBoth() throws {
        let text = Self.base.replacingOccurrences(of: "{process: poisson, load: 0.9}", with: "{process: poisson, rate_per_hour: 60}")
        let e = try XCTUnwrap(error("workload.synthetic.arrivals.load=0.7", text: text))
        XCTAssertEqual(e.file, dir.appendingPathComponent("s.yaml").path)
        XCTAssertEqual(e.line, 11)  // the `arrivals:` line
        XCTAssertEqual(e.field, "workload.synthetic.arrivals")
        XCTAssertTrue(e.message.hasSuffix(" (with --set workload.synthetic.arrivals.load=0.7)"), "\(e)")
    }

    // MARK: - The effective scenario is what is hashed and recorded

    func testTextAndHashAreTheEffectiveScenarios() throws {
        let plain = try load()
        XCTAssertEqual(plain.text, Self.base, "without overrides the text is the file, byte for byte")
        XCTAssertEqual(plain.hash, sha256(Self.base), "so its hash is unchanged from before overrides existed")

        let s = try load("policy.name=sjf", "seed=7")
        XCTAssertEqual(s.hash, sha256(s.text))
        XCTAssertNotEqual(s.hash, plain.hash)
        XCTAssertTrue(s.text.contains("name: sjf"), s.text)
        XCTAssertTrue(s.text.contains("seed: 7"), s.text)
        // The effective text, loaded as a file with no overrides, is the same scenario with the same hash.
        let replay = try ScenarioLoader.load(path: try write(s.text, to: "effective.yaml"))
        XCTAssertEqual(replay.hash, s.hash)
        XCTAssertEqual(replay.policyName, "sjf")
        XCTAssertEqual(replay.seed, 7)
        XCTAssertEqual(submits(replay), submits(s))
    }

    /// Loading from text resolves a relative trace against the given path's directory, where no scenario file need exist.
    func testLoadFromTextResolvesTheTraceAgainstThePath() throws {
        try write("job_id,submit_time_s,num_gpus,duration_s\na,0,2,60\nb,10,4,30\n", to: "sub/t.csv")
        let text = """
            seed: 1
            cluster:
              racks:
                - nodes: [{template: dgx-a100}]
            workload:
              trace: {file: t.csv}
            policy: {name: fifo}

            """
        let fromFile = try ScenarioLoader.load(path: try write(text, to: "sub/trace.yaml"))
        let fromText = try ScenarioLoader.load(text: text, path: dir.appendingPathComponent("sub/gone.yaml").path)
        XCTAssertEqual(fromText.hash, fromFile.hash)
        XCTAssertEqual(fromText.jobs.map(\.gpuCount), [2, 4])
        XCTAssertEqual(fromText.name, "gone", "the default name comes from the path")
        let elsewhere = dir.appendingPathComponent("other/gone.yaml").path
        XCTAssertThrowsError(try ScenarioLoader.load(text: text, path: elsewhere)) {
            XCTAssertTrue(($0 as? InputError)?.file.hasSuffix("other/t.csv") ?? false, "\($0)")
        }
    }

    /// A variant's overrides come from the decoded YAML: the trace is not read for them (a `--variant` run parses it
    /// once), while loading the variant itself still reads and checks it.
    func testVariantOverridesAreReadWithoutTheTrace() throws {
        let text = """
            seed: 1
            cluster:
              racks:
                - nodes: [{template: dgx-a100}]
            workload:
              trace: {file: missing.csv}
            policy: {name: fifo}
            variants:
              short: [policy.name=sjf]

            """
        let path = try write(text, to: "variants/v.yaml")
        XCTAssertEqual(try ScenarioLoader.variants(ofScenarioAt: path).map(\.name), ["short"])
        XCTAssertEqual(try ScenarioLoader.overrides(ofVariant: "short", inScenarioAt: path).map(\.text), ["policy.name=sjf"])
        let overrides = try ScenarioLoader.overrides(ofVariant: "short", inScenarioAt: path)
        XCTAssertThrowsError(try ScenarioLoader.load(path: path, overrides: overrides)) {
            XCTAssertTrue(($0 as? InputError)?.file.hasSuffix("missing.csv") ?? false, "\($0)")
        }
        // A file that does not decode gives load's own error.
        let broken = try write("seed: [\n", to: "variants/broken.yaml")
        var fromVariants: Error?
        var fromLoad: Error?
        do { _ = try ScenarioLoader.variants(ofScenarioAt: broken) } catch { fromVariants = error }
        do { _ = try ScenarioLoader.load(path: broken) } catch { fromLoad = error }
        XCTAssertNotNil(fromVariants)
        XCTAssertEqual(fromVariants.map { "\($0)" }, fromLoad.map { "\($0)" })
    }
}

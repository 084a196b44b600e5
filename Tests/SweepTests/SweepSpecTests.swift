import Foundation
import Scheduling
@testable import Sweep
import XCTest

/// Sweep files: grids crossed and zipped, identities, and errors that name the file, line and field.
final class SweepSpecTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("SweepSpecTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "name: base\nseed: 1\n".write(to: dir.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func spec(_ text: String) throws -> SweepSpec {
        let url = dir.appendingPathComponent("s.yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try SweepSpec.load(path: url.path)
    }

    func testCrossedAxesVaryLastFastest() throws {
        let s = try spec("""
            scenario: base.yaml
            set: [workload.synthetic.jobs=20]
            axes:
              - policy.name: [fifo, sjf]
              - seed: [1, 2, 3]
            """)
        XCTAssertEqual(s.name, "s")
        let points = try s.points()
        XCTAssertEqual(points.map(\.label), [
            "policy.name=fifo seed=1", "policy.name=fifo seed=2", "policy.name=fifo seed=3",
            "policy.name=sjf seed=1", "policy.name=sjf seed=2", "policy.name=sjf seed=3",
        ])
        XCTAssertEqual(points[4].overrides, ["workload.synthetic.jobs=20", "policy.name=sjf", "seed=2"])
        XCTAssertEqual(points[4].settingsJSON, #"{"policy.name": "sjf", "seed": "2"}"#)
        XCTAssertEqual(Set(points.map(\.key)).count, 6, "every point has its own key")
    }

    func testZippedFieldsChangeTogetherAndFlowValuesKeepTheirMeaning() throws {
        let s = try spec("""
            name: z
            scenario: base.yaml
            axes:
              - workload.synthetic.jobs: [10, 20]
                cluster.racks[0].nodes[0].count: [1, 2]
              - policy.params: [{depth: 10}, {depth: 'a b'}]
            """)
        XCTAssertEqual(try s.points().map(\.label), [
            "workload.synthetic.jobs=10 cluster.racks[0].nodes[0].count=1 policy.params={depth: 10}",
            "workload.synthetic.jobs=10 cluster.racks[0].nodes[0].count=1 policy.params={depth: 'a b'}",
            "workload.synthetic.jobs=20 cluster.racks[0].nodes[0].count=2 policy.params={depth: 10}",
            "workload.synthetic.jobs=20 cluster.racks[0].nodes[0].count=2 policy.params={depth: 'a b'}",
        ])
    }

    /// A point's key depends on the base scenario's bytes: editing the base makes every point new.
    func testKeyFollowsTheBaseScenario() throws {
        let s = try spec("scenario: base.yaml\naxes:\n  - seed: [1]\n")
        let before = try s.points()[0].key
        try "name: base\nseed: 2\n".write(to: dir.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        XCTAssertNotEqual(try s.points()[0].key, before)
    }

    func testErrorsNameLineAndField() throws {
        XCTAssertThrowsError(try spec("scenario: base.yaml\naxes:\n  - {a: [1, 2], b: [1]}\n")) { e in
            XCTAssertTrue("\(e)".hasSuffix("s.yaml:3: axes[0].b: zipped fields need lists of equal length: 1 values here, 2 for 'a'"), "\(e)")
        }
        XCTAssertThrowsError(try spec("scenario: base.yaml\naxis:\n  - {a: [1]}\n")) { e in
            XCTAssertTrue("\(e)".contains("s.yaml:2: axis: unknown field; expected name, scenario, set or axes"), "\(e)")
        }
        XCTAssertThrowsError(try spec("scenario: base.yaml\naxes:\n  - seed: []\n")) { e in
            XCTAssertTrue("\(e)".contains("axes[0].seed: expected a non-empty list of values"), "\(e)")
        }
        XCTAssertThrowsError(try spec("scenario: base.yaml\naxes:\n  - seed: [1]\n  - seed: [2]\n")) { e in
            XCTAssertTrue("\(e)".contains("axes[1]: field 'seed' is swept twice"), "\(e)")
        }
        XCTAssertThrowsError(try spec("scenario: base.yaml\naxes:\n  ? [seed]\n  : [1, 2]\n")) { e in
            XCTAssertTrue("\(e)".hasSuffix("s.yaml:3: a mapping key must be a plain value, found a sequence as a key"), "\(e)")
        }
    }

    /// The committed default sweep covers every policy in the catalog, 5 seeds and 3 loads.
    func testDefaultSweepCoversTheCatalog() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let s = try SweepSpec.load(path: root.appendingPathComponent("Scenarios/sweeps/default.yaml").path)
        let policy = try XCTUnwrap(s.axes.first { $0.fields == ["policy.name"] })
        // The built-in policies (`all`): `external` needs a command, so a sweep cannot run it by name alone.
        XCTAssertEqual(policy.values.map { $0[0] }, PolicyCatalog.all.map(\.name))
        XCTAssertEqual(s.axes.first { $0.fields == ["seed"] }?.count, 5)
        XCTAssertEqual(s.axes.first { $0.fields == ["workload.synthetic.arrivals.load"] }?.count, 3)
    }
}

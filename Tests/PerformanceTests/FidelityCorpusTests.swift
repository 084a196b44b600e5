import Foundation
import Performance
import XCTest

/// CI's fidelity gate (issue 13): the default (unfitted) model's median |error| on every committed measurement row
/// (Scenarios/measurements/*.csv) stays at or below 15%. Prints the per-model summary it checks.
final class FidelityCorpusTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios/measurements")

    func testDefaultModelMedianErrorWithinTarget() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertFalse(names.isEmpty, "no measurement files in \(Self.directory.path)")
        var rows: [StepMeasurement] = []
        for name in names {
            let url = Self.directory.appendingPathComponent(name)
            rows += try MeasurementFile.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
        }
        XCTAssertGreaterThan(rows.count, 5000, "the Pollux corpus alone has 5542 rows")
        let report = try FidelityReport(rows: rows)
        print(report.summaryMarkdown)
        XCTAssertLessThanOrEqual(report.overall.medianAbsError, 0.15, "default model median |error| over the measurement corpus")
    }
}

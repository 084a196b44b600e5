import Engine
import Foundation
import SimTestSupport
import XCTest

/// The summary-metric catalog: the names every baseline and database holds, their units' printing, and the
/// README's metric table being the catalog.
final class SummaryMetricCatalogTests: XCTestCase {
    /// The names and order are what every committed baseline and recorded run holds; changing them is a data
    /// format change, not a refactoring.
    func testNamesAndOrderAreTheRecordedOnes() {
        XCTAssertEqual(SummaryMetricKind.definitions.map(\.name), [
            "jobs_total", "jobs_completed", "jobs_unfinished", "jct_mean_s", "jct_p50_s", "jct_p95_s", "jct_p99_s",
            "queue_mean_s", "queue_p95_s", "makespan_s", "gpu_util", "gpu_hours", "preemptions", "migrations", "restarts",
            "checkpoint_gpu_hours", "rho_mean", "rho_p95", "rho_max", "rho_jain", "failures", "job_kills", "lost_gpu_hours",
            "down_gpu_hours", "shared_gpu_hours", "resizes", "realloc_gpu_hours", "mean_gpus_per_job", "goodput",
        ])
        XCTAssertEqual(SummaryMetricKind.definitions.map(\.unit), [
            .jobs, .jobs, .jobs, .seconds, .seconds, .seconds, .seconds, .seconds, .seconds, .seconds, .fraction, .gpuHours,
            .count, .count, .count, .gpuHours, .ratio, .ratio, .ratio, .fraction, .count, .count, .gpuHours, .gpuHours,
            .gpuHours, .count, .gpuHours, .ratio, .fraction,
        ])
        for d in SummaryMetricKind.definitions {
            XCTAssertFalse(d.meaning.isEmpty, d.name)
            XCTAssertFalse(d.meaning.contains("\n"), "\(d.name): a meaning is one line")
        }
    }

    /// Counts print as integers, fractions with 4 decimals, seconds and GPU-hours with 1, as the summary table
    /// always did.
    func testUnitsRenderValues() {
        XCTAssertEqual(MetricUnit.jobs.render(500), "500")
        XCTAssertEqual(MetricUnit.fraction.render(0.89412), "0.8941")
        XCTAssertEqual(MetricUnit.seconds.render(10818.26), "10818.3")
        XCTAssertEqual(MetricUnit.gpuHours.render(831.649), "831.6")
    }

    /// A metric read back by name finds its definition; an unknown name has none.
    func testMetricsKnowTheirDefinition() {
        XCTAssertEqual(SummaryMetric(name: "gpu_util", value: 0.5).definition?.unit, .fraction)
        XCTAssertEqual(SummaryMetric(.queueP95, value: 1).name, "queue_p95_s")
        XCTAssertNil(SummaryMetric(name: "no_such_metric", value: 1).definition)
    }

    /// The README's table between its summary-metrics markers is exactly the catalog, row for row.
    func testREADMEListsEveryMetricWithItsMeaning() throws {
        let readme = try String(contentsOf: SchedLabBinary.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = try XCTUnwrap(readme.range(of: "<!-- summary-metrics:begin -->\n"), "README lacks the begin marker")
        let end = try XCTUnwrap(readme.range(of: "<!-- summary-metrics:end -->"), "README lacks the end marker")
        let block = String(readme[begin.upperBound..<end.lowerBound])
        let expected = (["| metric | unit | meaning |", "|---|---|---|"]
            + SummaryMetricKind.definitions.map { "| `\($0.name)` | \($0.unit.symbol) | \($0.meaning) |" })
            .joined(separator: "\n") + "\n"
        XCTAssertEqual(block, expected, "README's metric table is out of date; replace it with:\n\(expected)")
    }
}

import Workload
import XCTest

/// The ITP and openb converters against the canonical files in ../shared/traces, which were converted
/// independently (see each trace's README). Skipped when ../shared is absent.
final class TraceImportSharedTracesTests: XCTestCase {
    /// `<repo>/../shared/traces`: this file is Tests/WorkloadTests/TraceImportSharedTracesTests.swift.
    static let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/traces")

    private func path(_ relative: String) throws -> String {
        let p = Self.traces.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: p) else { throw XCTSkip("\(p) is not here") }
        return p
    }

    private func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: true)
    }

    // Converting raw/cluster10.csv gives exactly per_cluster/cluster10.csv, plus the empty gpu_milli column.
    func testITPCluster10MatchesPerClusterFile() throws {
        let raw = try path("msft-itp-2021/raw/cluster10.csv")
        let expected = try String(contentsOfFile: try path("msft-itp-2021/per_cluster/cluster10.csv"), encoding: .utf8)
        let result = try TraceImportFormat.itp.convert(paths: [raw])
        XCTAssertEqual(result.rawRecords, 260)
        XCTAssertEqual(result.dropped.total, 0)
        let got = lines(CanonicalTraceWriter.render(result.rows))
        let want = lines(expected)
        XCTAssertEqual(got.count, want.count)
        XCTAssertEqual(got.dropFirst().map(String.init), want.dropFirst().map { $0 + "," })
    }

    // Merging all ten raw clusters gives msft-itp-2021.csv (the clusters share a clock).
    func testITPAllClustersMatchMergedFile() throws {
        let raws = try (1...10).map { try path(String(format: "msft-itp-2021/raw/cluster%02d.csv", $0)) }
        let expected = try String(contentsOfFile: try path("msft-itp-2021/msft-itp-2021.csv"), encoding: .utf8)
        let result = try TraceImportFormat.itp.convert(paths: raws)
        XCTAssertEqual(result.rows.count, 69_351)
        let got = lines(CanonicalTraceWriter.render(result.rows)).dropFirst().map(String.init)
        let want = lines(expected).dropFirst().map { $0 + "," }
        XCTAssertEqual(got.count, want.count)
        XCTAssertEqual(zip(got, want).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" }, nil)
    }

    // The openb pod list gives the 6,203 rows of alibaba-openb-2023.csv (same IDs, submit times, GPUs,
    // durations and status), with the README's drop counts; gpu_milli is new.
    func testOpenBMatchesCanonicalFile() throws {
        let raw = try path("alibaba-openb-2023/raw/openb_pod_list_default.csv")
        let expected = try String(contentsOfFile: try path("alibaba-openb-2023/alibaba-openb-2023.csv"), encoding: .utf8)
        let result = try TraceImportFormat.openb.convert(paths: [raw])
        XCTAssertEqual(result.rawRecords, 8_152)
        XCTAssertEqual(result.dropped[OpenBImporter.dropCPUOnly], 1_088)
        XCTAssertEqual(result.dropped[OpenBImporter.dropNeverScheduled], 861)
        XCTAssertEqual(result.dropped.total, 1_949)
        XCTAssertEqual(result.adjusted.total, 0)
        XCTAssertEqual(result.rows.count, 6_203)
        XCTAssertEqual(result.rows.filter { $0.gpuMilli != nil }.count, 2_573)
        let got = lines(CanonicalTraceWriter.render(result.rows)).dropFirst().map(String.init)
        let want = lines(expected).dropFirst().map(String.init)
        XCTAssertEqual(got.count, want.count)
        // Compare the shared file's eight columns; the ninth (gpu_milli) is checked against the raw file.
        let firstMismatch = zip(got, want).first { g, w in
            g.split(separator: ",", omittingEmptySubsequences: false).prefix(8).joined(separator: ",") != w
        }
        XCTAssertNil(firstMismatch.map { "\($0.0) vs \($0.1)" })
        let jobs = try TraceReader.parse(CanonicalTraceWriter.render(result.rows), file: "openb.csv")
        XCTAssertEqual(TraceStats(jobs: jobs).peakConcurrentGPUs, 70)
    }
}

import Workload
import XCTest

/// Each raw-format converter on a small hand-written fixture: exact output, counted drops, and the located
/// error of the fixture's one malformed row.
final class TraceImportFormatTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private func fixture(_ name: String) throws -> (text: String, path: String) {
        let path = Self.fixtures.appendingPathComponent(name).path
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }

    /// Converts `name` skipping bad rows, and checks that without skipping it fails with `expectedError`.
    private func convert(_ format: TraceImportFormat, _ name: String, expectedError: String,
                         file: StaticString = #filePath, line: UInt = #line) throws -> (ImportResult, String) {
        let (text, path) = try fixture(name)
        do {
            _ = try format.convert(text: text, file: name)
            XCTFail("expected the bad row to fail the import", file: file, line: line)
        } catch {
            XCTAssertEqual("\(error)", expectedError, file: file, line: line)
        }
        let result = try format.convert(text: text, file: name, skipBadRows: true)
        XCTAssertEqual(result.skipped.map(\.description), [expectedError], file: file, line: line)
        let csv = CanonicalTraceWriter.render(result.rows)
        // Whatever a converter writes must read back.
        XCTAssertNoThrow(try TraceReader.parse(csv, file: path), file: file, line: line)
        return (result, csv)
    }

    private func counts(_ tally: RuleTally) -> [String] { tally.entries.map { "\($0.count) \($0.rule)" } }

    private let header = CanonicalTraceWriter.header + "\n"

    func testITP() throws {
        let (r, csv) = try convert(.itp, "cluster99.csv", expectedError: "cluster99.csv:7: num_gpu: expected an integer, got 'x'")
        XCTAssertEqual(csv, header + """
            cluster99/a-1,0,2,700,,,,,
            cluster99/b-2,0,8,1200,,,,,
            cluster99/c-3,1000,1,600.5,,,,,

            """)
        XCTAssertEqual(counts(r.dropped), ["1 num_gpu <= 0", "1 duration <= 0"])
        XCTAssertEqual(r.rawRecords, 6)
    }

    func testOpenB() throws {
        let (r, csv) = try convert(.openb, "openb_pod_list_fixture.csv",
                                   expectedError: "openb_pod_list_fixture.csv:9: gpu_milli: expected an integer or empty, got 'abc'")
        XCTAssertEqual(csv, header + """
            pod-a,0,1,4898,,,,Running,460
            pod-i,0,1,50,g2,,,Running,
            pod-d,200,8,3990,,,,Succeeded,
            pod-g,500,4,1000,,,,Running,

            """)
        XCTAssertEqual(counts(r.dropped), [
            "1 num_gpu = 0 (CPU-only pod)", "1 never scheduled (no scheduled_time)", "1 no deletion_time",
            "1 deletion_time <= scheduled_time (no run time)",
        ])
        XCTAssertEqual(counts(r.adjusted), [
            "1 gpu_spec lists several types (gpu_type left empty)", "1 gpu_spec is not a known GPU type (gpu_type left empty)",
        ])
        XCTAssertEqual(r.rawRecords, r.rows.count + r.dropped.total + r.skipped.count)
    }

    func testPhilly() throws {
        let (r, csv) = try convert(.philly, "philly_cluster_job_log.json", expectedError:
            "philly_cluster_job_log.json:20: [5].submitted_time: expected a time 'yyyy-MM-dd HH:mm:ss', got '2017-13-03 05:00:00'")
        XCTAssertEqual(csv, header + """
            application_1_0002,0,1,3590,,,"team ""x"", y",Killed,
            application_1_0001,3029,4,2684,,,u1,Pass,

            """)
        XCTAssertEqual(counts(r.dropped), [
            "1 no attempts (never started)",
            "1 first start_time or last end_time is None (never started or still running)",
            "1 no GPUs in the first attempt", "1 last end_time <= first start_time (no run time)",
        ])
        XCTAssertEqual(r.rawRecords, 7)
        let jobs = try TraceReader.parse(csv, file: "philly.csv")
        XCTAssertEqual(jobs.map(\.user), ["team \"x\", y", "u1"])
    }

    func testHelios() throws {
        let (r, csv) = try convert(.helios, "helios_cluster_log.csv",
                                   expectedError: "helios_cluster_log.csv:7: gpu_num: expected an integer >= 0, got 'two'")
        XCTAssertEqual(csv, header + """
            j0,0,1,86400,,,u5,TIMEOUT,
            j1,30,8,7200,,,u1,COMPLETED,
            j5,1830,4,630,,,u3,FAILED,

            """)
        XCTAssertEqual(counts(r.dropped), [
            "1 gpu_num = 0 (CPU job)", "1 no start_time or end_time (never ran)", "1 end_time <= start_time (no run time)",
        ])
        XCTAssertEqual(r.rawRecords, 7)
    }

    func testHeliosFindsColumnsByNameAndNamesAMissingOne() throws {
        let text = """
            state,gpu_num,job_id,user,end_time,start_time,submit_time
            COMPLETED,2,x,u,1000,400,100
            """
        let r = try TraceImportFormat.helios.convert(text: text, file: "h.csv")
        XCTAssertEqual(r.rows, [CanonicalTraceRow(jobID: "x", submitTime: 100, gpuCount: 2, duration: 600, user: "u", status: "COMPLETED")])
        XCTAssertThrowsError(try TraceImportFormat.helios.convert(text: "job_id,user,gpu_num\n", file: "h.csv")) { error in
            XCTAssertEqual("\(error)", "h.csv:1: missing column 'state'; the header has job_id,user,gpu_num")
        }
    }

    func testPAI2020() throws {
        let (r, csv) = try convert(.pai2020, "pai_task_table.csv",
                                   expectedError: "pai_task_table.csv:10: inst_num: expected a number of instances >= 0, got 'x'")
        XCTAssertEqual(csv, header + """
            jobA,0,2,620,v100-16,,,Terminated,
            jobB,210,1,300,t4,,,Terminated,
            jobC,310,2,100,,,,Failed,
            jobH,710,1,200,,,,Running,

            """)
        XCTAssertEqual(counts(r.dropped), [
            "1 a task row was malformed (job left out whole)", "1 no GPU requested (sum of inst_num × plan_gpu = 0)",
            "1 a task has no start_time or end_time", "1 max end_time <= min start_time (no run time)",
        ])
        XCTAssertEqual(counts(r.adjusted), [
            "1 tasks disagree on gpu_type (gpu_type left empty)", "1 gpu_type is not a known GPU type (gpu_type left empty)",
            "1 tasks disagree on status (Failed if any failed, else joined by '+')",
        ])
        XCTAssertEqual(r.rawRecords, 8)
        XCTAssertEqual(r.rawRecords, r.rows.count + r.dropped.total)
    }

    func testPAI2020RoundsFloatNoiseDown() throws {
        let r = try TraceImportFormat.pai2020.convert(text: "j,w,3,Terminated,0,10,1,1,33.333333333,T4\n", file: "p.csv")
        XCTAssertEqual(r.rows.map(\.gpuCount), [1])
    }

    func testCanonical() throws {
        let (r, csv) = try convert(.canonical, "canonical_fixture.csv",
                                   expectedError: "canonical_fixture.csv:5: num_gpus: expected GPUs in 1...1000000 (whole numbers), got 'zero'")
        XCTAssertEqual(csv, header + """
            c,0,4,7,t4,,"x,y",,
            a,10.5,1,5.25,,,,,
            b,10.5,2,100,a100-80,resnet50,alice,COMPLETED,

            """)
        XCTAssertEqual(r.dropped.total, 0)
        // Normalizing is idempotent.
        XCTAssertEqual(CanonicalTraceWriter.render(try TraceImportFormat.canonical.convert(text: csv, file: "c.csv").rows), csv)
    }

    func testSeveralFilesAreRebasedTogether() throws {
        let a = try TraceImportFormat.itp.convert(text: "job_id,submission_time,duration,num_gpu\nx,500,600,1\n", file: "dir/c1.csv")
        var merged = try TraceImportFormat.itp.convert(text: "job_id,submission_time,duration,num_gpu\nx,200,600,2\n", file: "c2.csv")
        merged.merge(a)
        XCTAssertEqual(CanonicalTraceWriter.render(merged.rows), header + "c2/x,0,2,600,,,,,\nc1/x,300,1,600,,,,,\n")
        XCTAssertEqual(merged.rawRecords, 2)
    }

    func testCRLFLineEndsAndBlankLines() throws {
        let r = try TraceImportFormat.itp.convert(
            text: "job_id,submission_time,duration,num_gpu\r\n\r\nx,5,600,1\r\ny,7,60,2\r\n", file: "c.csv")
        XCTAssertEqual(CanonicalTraceWriter.render(r.rows), header + "c/x,0,1,600,,,,,\nc/y,2,2,60,,,,,\n")
    }

    func testEmptyAndHeaderlessInputsFail() {
        XCTAssertThrowsError(try TraceImportFormat.itp.convert(text: "\n\n", file: "e.csv")) { error in
            XCTAssertEqual("\(error)", "e.csv: the file is empty (no header line)")
        }
        XCTAssertThrowsError(try TraceImportFormat.philly.convert(text: "{\"a\": 1}", file: "p.json")) { error in
            XCTAssertEqual("\(error)", "p.json: expected a JSON array of jobs (Philly cluster_job_log)")
        }
    }
}

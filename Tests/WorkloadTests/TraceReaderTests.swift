import ClusterModel
import Models
import SimKernel
import Workload
import XCTest

final class TraceReaderTests: XCTestCase {
    private func parseError(_ text: String, file: String = "t.csv") -> InputError? {
        do {
            _ = try TraceReader.parse(text, file: file)
            return nil
        } catch {
            return error
        }
    }

    private let header = "job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status"

    // A small trace parses, sorts stably by submit time and renumbers IDs in that order.
    func testParsesSortsAndRenumbers() throws {
        let text = """
            \(header)
            a,30,2,100,a100-80,resnet50,alice,COMPLETED
            b,10.5,1,5.25,,,,

            c,30,4,7,t4,,bob,
            d,0,8,1,,gpt-1.3b,,
            """
        let jobs = try TraceReader.parse(text, file: "t.csv")
        XCTAssertEqual(jobs.map(\.name), ["d", "b", "a", "c"])
        XCTAssertEqual(jobs.map(\.id), [0, 1, 2, 3].map(JobID.init))
        XCTAssertEqual(jobs.map(\.submitTime.nanoseconds), [0, 10_500_000_000, 30_000_000_000, 30_000_000_000])
        XCTAssertEqual(jobs.map(\.gpuCount), [8, 1, 2, 4])
        XCTAssertEqual(jobs[1].work, .duration(SimTime(nanoseconds: 5_250_000_000)))
        XCTAssertEqual(jobs[2].gpuType, "a100-80")
        XCTAssertEqual(jobs[2].model, ModelZoo.index(named: "resnet50"))
        XCTAssertEqual(jobs[2].user, "alice")
        XCTAssertNil(jobs[1].gpuType)
        XCTAssertNil(jobs[1].model)
        XCTAssertNil(jobs[1].user)
        XCTAssertEqual(jobs[3].user, "bob")
        XCTAssertEqual(jobs[0].model, 5)
    }

    // Only the required columns are needed; quoted fields may contain commas and doubled quotes.
    func testRequiredColumnsAndQuoting() throws {
        let jobs = try TraceReader.parse("job_id,submit_time_s,num_gpus,duration_s\n\"x,\"\"1\"\"\",1,2,3\n", file: "q.csv")
        XCTAssertEqual(jobs.count, 1)
        XCTAssertEqual(jobs[0].name, "x,\"1\"")
        XCTAssertEqual(jobs[0].gpuCount, 2)
    }

    // Windows line endings (CRLF) parse like LF ones.
    func testCRLFLineEndings() throws {
        let text = "job_id,submit_time_s,num_gpus,duration_s\r\nj1,5,1,10\r\nj0,1,2,20\r\n"
        let jobs = try TraceReader.parse(text, file: "crlf.csv")
        XCTAssertEqual(jobs.map(\.name), ["j0", "j1"])
        XCTAssertEqual(jobs.map(\.gpuCount), [2, 1])
    }

    // A bad header is reported at line 1 with the expected header.
    func testBadHeader() {
        let e = parseError("id,submit,gpus,dur\nx,1,1,1\n")
        XCTAssertEqual(e?.line, 1)
        XCTAssertEqual(e?.description,
            "t.csv:1: expected the header 'job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status,gpu_milli,batch_size,epochs', got 'id,submit,gpus,dur'")
        XCTAssertEqual(parseError("\(TraceReader.requiredColumns.joined(separator: ",")),model\n")?.description,
            "t.csv:1: unexpected column 'model'; optional columns are gpu_type,model,user,status,gpu_milli,batch_size,epochs in that order")
        XCTAssertEqual(parseError("")?.description, "t.csv: the trace is empty (no header line)")
    }

    // A row with the wrong number of fields names its line and the expected count (blank lines still count).
    func testWrongFieldCount() {
        let e = parseError("job_id,submit_time_s,num_gpus,duration_s\n\na,1,1\n")
        XCTAssertEqual(e?.description, "t.csv:3: expected 4 fields (job_id,submit_time_s,num_gpus,duration_s), got 3")
    }

    // Bad values name file:line and the column.
    func testBadValuesNameLineAndColumn() {
        let h = "job_id,submit_time_s,num_gpus,duration_s,gpu_type,model\n"
        XCTAssertEqual(parseError(h + "ok,1,1,1,,\na,abc,1,1,,\n")?.description,
                       "t.csv:3: submit_time_s: expected seconds in 0...6e9, got 'abc'")
        XCTAssertEqual(parseError(h + "a,-1,1,1,,\n")?.description,
                       "t.csv:2: submit_time_s: expected seconds in 0...6e9, got '-1'")
        XCTAssertEqual(parseError(h + "a,1,0,1,,\n")?.description, "t.csv:2: num_gpus: expected GPUs in 1...1000000 (whole numbers), got '0'")
        XCTAssertEqual(parseError(h + "a,1,1.5,1,,\n")?.field, "num_gpus")
        XCTAssertEqual(parseError(h + "a,1,1,-5,,\n")?.description, "t.csv:2: duration_s: expected seconds in (0, 1e9], got '-5'")
        XCTAssertEqual(parseError(h + ",1,1,1,,\n")?.field, "job_id")
        let gpu = parseError(h + "a,1,1,1,x100,\n")
        XCTAssertEqual(gpu?.line, 2)
        XCTAssertEqual(gpu?.field, "gpu_type")
        XCTAssertTrue(gpu?.description.hasPrefix("t.csv:2: gpu_type: expected one of v100-16, v100-32, a100-40") ?? false)
        XCTAssertTrue(gpu?.description.hasSuffix("g3 or empty, got 'x100'") ?? false)
        let model = parseError(h + "a,1,1,1,,gpt-9\n")
        XCTAssertEqual(model?.field, "model")
        XCTAssertEqual(model?.description, "t.csv:2: model: expected one of \(ModelZoo.names.joined(separator: ", ")) or empty, got 'gpt-9'")
        XCTAssertEqual(parseError(h + "a,1,1,1,,\"open\n")?.description, "t.csv:2: unterminated quoted field")
    }

    // InputError renders FILE:LINE: FIELD: message, dropping unknown parts.
    func testInputErrorDescription() {
        XCTAssertEqual(InputError(file: "f", line: 3, field: "x.y", message: "m").description, "f:3: x.y: m")
        XCTAssertEqual(InputError(file: "f", message: "m").description, "f: m")
        XCTAssertEqual(InputError(file: "f", field: "", message: "m").description, "f: m")
    }
}

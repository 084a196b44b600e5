@testable import Workload
import XCTest

/// The canonical writer's normalization and field formatting, and the parsing helpers the converters share.
final class TraceImportWriterTests: XCTestCase {
    func testSortsByTimeThenIDAndRebases() {
        let rows = [
            CanonicalTraceRow(jobID: "b", submitTime: 1_000_000_010, gpuCount: 1, duration: 5),
            CanonicalTraceRow(jobID: "a", submitTime: 1_000_000_010, gpuCount: 2, duration: 6),
            CanonicalTraceRow(jobID: "Z", submitTime: 1_000_000_010, gpuCount: 3, duration: 7),
            CanonicalTraceRow(jobID: "c", submitTime: 1_000_000_000, gpuCount: 4, duration: 8),
        ]
        XCTAssertEqual(CanonicalTraceWriter.render(rows), """
            job_id,submit_time_s,num_gpus,duration_s,gpu_type,model,user,status,gpu_milli
            c,0,4,8,,,,,
            Z,10,3,7,,,,,
            a,10,2,6,,,,,
            b,10,1,5,,,,,

            """)
        XCTAssertEqual(CanonicalTraceWriter.render([]), CanonicalTraceWriter.header + "\n")
    }

    func testFieldFormatting() {
        XCTAssertEqual(CanonicalTraceWriter.seconds(600), "600")
        XCTAssertEqual(CanonicalTraceWriter.seconds(0), "0")
        XCTAssertEqual(CanonicalTraceWriter.seconds(-0.0), "0")
        XCTAssertEqual(CanonicalTraceWriter.seconds(600.5), "600.5")
        XCTAssertEqual(CanonicalTraceWriter.seconds(0.1 + 0.2), "0.3")
        XCTAssertEqual(CanonicalTraceWriter.seconds(1_573_360), "1573360")
        XCTAssertEqual(CanonicalTraceWriter.quoted("plain"), "plain")
        XCTAssertEqual(CanonicalTraceWriter.quoted("a,b"), "\"a,b\"")
        XCTAssertEqual(CanonicalTraceWriter.quoted("say \"hi\""), "\"say \"\"hi\"\"\"")
        let row = CanonicalTraceRow(jobID: "j,1", submitTime: 0, gpuCount: 1, duration: 2.25, gpuType: "t4",
                                    model: "resnet50", user: "u\"1", status: "Pass", gpuMilli: 460)
        XCTAssertEqual(CanonicalTraceWriter.line(row), "\"j,1\",0,1,2.25,t4,resnet50,\"u\"\"1\",Pass,460")
        let back = try? TraceReader.parse(CanonicalTraceWriter.render([row]), file: "w.csv")
        XCTAssertEqual(back?.first?.name, "j,1")
        XCTAssertEqual(back?.first?.user, "u\"1")
        XCTAssertEqual(back?.first?.gpuMilli, 460)
    }

    func testTimestampsAreUTCAndStrict() {
        XCTAssertEqual(TraceTimestamp.seconds("1970-01-01 00:00:00"), 0)
        XCTAssertEqual(TraceTimestamp.seconds("1969-12-31 23:59:59"), -1)
        XCTAssertEqual(TraceTimestamp.seconds("2000-02-29 23:59:59"), 951_868_799)
        XCTAssertEqual(TraceTimestamp.seconds("2017-10-03 02:50:29"), 1_506_999_029)
        XCTAssertEqual(TraceTimestamp.seconds("2020-03-31 23:59:30"), 1_585_699_170)
        for bad in ["2017-02-29 00:00:00", "2017-13-03 05:00:00", "2017-10-03 24:00:00", "2017-10-03T02:50:29",
                    "2017-10-03 02:50", "None", "", "2017-1a-03 02:50:29"] {
            XCTAssertNil(TraceTimestamp.seconds(bad), bad)
        }
    }

    func testJSONArrayElementLines() {
        XCTAssertEqual(JSONArrayLines.elementLines("[\n {\"a\": \"[,{\"},\n\n {\"b\": [1,\n2]}, 3\n]"), [2, 4, 5])
        XCTAssertEqual(JSONArrayLines.elementLines("[]"), [])
        XCTAssertEqual(JSONArrayLines.elementLines("{\"a\": [1]}"), [])
    }

    func testRuleTallyKeepsDeclarationOrder() {
        var t = RuleTally(["x", "y"])
        t.count("y")
        t.count("z", 2)
        var u = RuleTally(["z"])
        u.count("z")
        t.add(u)
        XCTAssertEqual(t.entries.map(\.rule), ["x", "y", "z"])
        XCTAssertEqual(t.entries.map(\.count), [0, 1, 3])
        XCTAssertEqual(t.total, 4)
        XCTAssertEqual(t["z"], 3)
    }
}

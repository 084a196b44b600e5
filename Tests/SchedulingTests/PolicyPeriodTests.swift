import Foundation
import Scheduling
import XCTest

/// Every policy period (Gavel's rounds, Themis' leases, the decision intervals) accepts one second and rejects
/// anything shorter, naming the field and the range (`PolicyPeriod`).
final class PolicyPeriodTests: XCTestCase {
    /// Builds the catalog's policy `name` from `json` as its `params`.
    private struct Built: Decodable {
        static let entryKey = CodingUserInfoKey(rawValue: "entry")!
        let policy: any SchedulingPolicy
        init(from decoder: Decoder) throws {
            let entry = try XCTUnwrap(decoder.userInfo[Self.entryKey] as? PolicyCatalog.Entry)
            policy = try entry.make(decoder)
        }
    }

    private func build(_ name: String, _ json: String) throws -> any SchedulingPolicy {
        let decoder = JSONDecoder()
        decoder.userInfo[Built.entryKey] = try XCTUnwrap(PolicyCatalog.entry(name), "no policy \(name)")
        return try decoder.decode(Built.self, from: Data(json.utf8)).policy
    }

    func testOneSecondIsTheShortestPeriod() throws {
        let periods = [("gavel", "round_s", "1e9"), ("themis", "lease_s", "3.2e7"), ("tiresias", "interval_s", "1e9"),
                       ("pollux", "interval_s", "1e9"), ("optimus", "interval_s", "1e9")]
        for (name, key, maximum) in periods {
            XCTAssertNoThrow(try build(name, #"{"\#(key)": 1}"#), "\(name).\(key) = 1")
            for bad in ["0.999", "0.001", "0"] {
                XCTAssertThrowsError(try build(name, #"{"\#(key)": \#(bad)}"#), "\(name).\(key) = \(bad)") { error in
                    guard case .dataCorrupted(let context)? = error as? DecodingError else { return XCTFail("\(error)") }
                    XCTAssertEqual(context.codingPath.last?.stringValue, key)
                    XCTAssertTrue(context.debugDescription.contains("expected seconds in 1...\(maximum), got \(bad)"),
                                  "\(name): \(context.debugDescription)")
                }
            }
        }
    }
}

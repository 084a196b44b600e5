import Foundation
import Optimization
import Scheduling
import XCTest

/// Gavel's allocation LPs on hand-solved problems, and its parameters.
final class GavelAllocationTests: XCTestCase {

    // Two jobs, types V and A with one GPU each. Job A runs at 1 on V and 4 on A; job B at 1 and 1.5.
    // Equal share (n = 2, each job may use both GPUs): X_eq = 1/2 on each type, so tput_eq(A) = 0.5 + 2 = 2.5 and
    // tput_eq(B) = 0.5 + 0.75 = 1.25. Maximize z with (x_AV + 4x_AA)/2.5 ≥ z, (x_BV + 1.5x_BA)/1.25 ≥ z, each type's
    // column ≤ 1, each job's row ≤ 1. Giving B a share a of type A (A takes the rest of A and a of V):
    // (4 − 3a)/2.5 = (1 + 0.5a)/1.25 → a = 1/2, z = 1 (the naive A→A, B→V split only reaches min(1.6, 0.8) = 0.8).
    // Optimality: duals y_A = 0.25, y_B = 0.75 certify the bound 1; with every dual positive all constraints are
    // tight, which forces x_AV = x_AA = x_BV = x_BA = 1/2 (unique).
    func testMaxMinTwoJobsTwoTypesHandSolved() throws {
        let p = GavelPolicy.Problem(throughput: [[1, 4], [1, 1.5]], gpus: [1, 1], capacity: [1, 1])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.value, 1, accuracy: 1e-6)
        XCTAssertEqual(s.equalShareThroughput[0], 2.5, accuracy: 1e-12)
        XCTAssertEqual(s.equalShareThroughput[1], 1.25, accuracy: 1e-12)
        for row in s.x { for x in row { XCTAssertEqual(x, 0.5, accuracy: 1e-6) } }
    }

    // One GPU type (speeds differ per job, which normalization removes): 5 one-GPU jobs on 2 GPUs each get 2/5 of
    // the time; 2 jobs on 4 GPUs each get all of it.
    func testHomogeneousClusterIsEqualTimeSharing() throws {
        let crowded = GavelPolicy.Problem(throughput: [[1], [2], [3], [0.5], [7]], gpus: [1, 1, 1, 1, 1], capacity: [2])
        let s = try GavelPolicy.solve(crowded, objective: .maxMin)
        XCTAssertEqual(s.value, 1, accuracy: 1e-6)
        for row in s.x { XCTAssertEqual(row[0], 0.4, accuracy: 1e-6) }

        let roomy = GavelPolicy.Problem(throughput: [[1], [5]], gpus: [1, 1], capacity: [4])
        for row in try GavelPolicy.solve(roomy, objective: .maxMin).x { XCTAssertEqual(row[0], 1, accuracy: 1e-6) }
    }

    // One type, 2 GPUs; jobs of 1, 1 and 2 GPUs. Equal shares (n = 3): 1-GPU jobs min(1, 2/3) = 2/3, the 2-GPU job
    // min(1, 2/6) = 1/3. z ≤ 1 since x1 + x2 + 2x3 ≥ (2/3 + 2/3 + 2/3)z; at z = 1 the capacity is exactly used, so
    // X = (2/3, 2/3, 1/3): equal GPU-time, 2/3 GPU-seconds per second each.
    func testHomogeneousEqualGPUTimeWithMixedSizes() throws {
        let p = GavelPolicy.Problem(throughput: [[1], [1], [1]], gpus: [1, 1, 2], capacity: [2])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.value, 1, accuracy: 1e-6)
        XCTAssertEqual(s.x[0][0], 2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(s.x[1][0], 2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(s.x[2][0], 1.0 / 3, accuracy: 1e-6)
    }

    // Identical jobs are solved as one weighted class (exact for max-min). Two jobs like A (1 on V, 4 on A) and
    // one like B (1, 1.5), one GPU per type. n = 3, so X_eq = 1/3 per type: tput_eq(A) = 5/3, tput_eq(B) = 5/6.
    // With the A jobs sharing type A (1/2 each) and B alone on V, both normalize to 0.6·2 = 1.2·1 = 1.2. Moving
    // δ of type A to B lowers A's 1.2(1 − δ); moving ε of V to the A jobs lowers B's 1.2(1 − 2ε); doing both
    // needs ε ≥ 2δ (for A) and 1.5δ ≥ 2ε (for B), so δ = ε = 0: z = 1.2 at X_A = (0, 1/2), X_B = (1, 0).
    func testIdenticalJobsAggregated() throws {
        let p = GavelPolicy.Problem(throughput: [[1, 4], [1, 1.5], [1, 4]], gpus: [1, 1, 1], capacity: [1, 1])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.value, 1.2, accuracy: 1e-6)
        for (j, expected) in [(0, [0.0, 0.5]), (1, [1.0, 0.0]), (2, [0.0, 0.5])] {
            for t in 0..<2 { XCTAssertEqual(s.x[j][t], expected[t], accuracy: 1e-6, "job \(j) type \(t)") }
        }
        // 1,000 model-free 1-GPU jobs on 10 + 30 GPUs: one class, each job 40/1000 of the time, split 1:3.
        let many = GavelPolicy.Problem(throughput: Array(repeating: [1, 1], count: 1000), gpus: Array(repeating: 1, count: 1000),
                                       capacity: [10, 30])
        let m = try GavelPolicy.solve(many, objective: .maxMin)
        XCTAssertEqual(m.solves, 2)
        for row in m.x { XCTAssertEqual(row[0] + row[1], 0.04, accuracy: 1e-9) }
        XCTAssertEqual(m.x.reduce(0) { $0 + $1[0] }, 10, accuracy: 1e-6)
    }

    // Jobs alike on the first four types but not on the fifth (whose speed the class key holds apart from the first
    // four) are not merged. Types 1-3 have no GPUs; A runs at 1 on types 0 and 4, B at 1 and 3. n = 2 and each job's
    // types hold 2 GPUs, so X_eq = 1/2 per type: tput_eq(A) = 1, tput_eq(B) = 2. A's normalized throughput is at most
    // a0 + a4 ≤ 1, so z = 1 (A on the whole of type 0, B on type 4 at 3/2); the second phase keeps a0 + a4 = 1 and
    // gives B (b0 + 3·b4)/2 at most 3/2, only with a0 = 1, b4 = 1. Merged as one class, both would share both types.
    func testJobsDifferingOnlyBeyondFourTypesAreNotMerged() throws {
        let p = GavelPolicy.Problem(throughput: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 3]], gpus: [1, 1], capacity: [1, 0, 0, 0, 1])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.value, 1, accuracy: 1e-6)
        for (j, expected) in [(0, [1.0, 0, 0, 0, 0]), (1, [0.0, 0, 0, 0, 1])] {
            for t in 0..<5 { XCTAssertEqual(s.x[j][t], expected[t], accuracy: 1e-6, "job \(j) type \(t)") }
        }
    }

    // More classes than the solve compares by scanning (16): 18 sizes (1 to 18 GPUs), each twice, 36 jobs on one type
    // of 36 GPUs. n = 36, so each job's equal share is 1/g of the time (36 / (36·g)) and max-min gives every job
    // exactly that (z = 1 uses every GPU): X = 1/g. A job put in another size's class, or a class losing a job, when the
    // lookup switches to the dictionary would get another share.
    func testManyClassesKeepTheirMembers() throws {
        let sizes = (0..<36).map { 1 + $0 % 18 }
        let p = GavelPolicy.Problem(throughput: Array(repeating: [1], count: 36), gpus: sizes, capacity: [36])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.value, 1, accuracy: 1e-6)
        for (j, row) in s.x.enumerated() { XCTAssertEqual(row[0], 1 / Double(sizes[j]), accuracy: 1e-6, "job \(j)") }
    }

    // A job that can run nowhere (no type, NaN or zero speed) gets an empty row and does not count in n.
    func testJobThatCannotRunGetsNothing() throws {
        let p = GavelPolicy.Problem(throughput: [[1, nil], [nil, .nan], [0, nil]], gpus: [1, 1, 1], capacity: [1, 1])
        let s = try GavelPolicy.solve(p, objective: .maxMin)
        XCTAssertEqual(s.x[0][0], 1, accuracy: 1e-9)
        XCTAssertEqual(s.x[1], [0, 0])
        XCTAssertEqual(s.x[2], [0, 0])
        XCTAssertEqual(s.equalShareThroughput, [1, 0, 0])
    }

    // Inconsistent sizes are a typed error, not a crash.
    func testInconsistentProblemIsATypedError() {
        let p = GavelPolicy.Problem(throughput: [[1, 2]], gpus: [1], capacity: [1])
        XCTAssertThrowsError(try GavelPolicy.solve(p, objective: .maxMin)) { error in
            guard case .invalidInput? = error as? LPError else { return XCTFail("\(error)") }
        }
    }

    // Finish-time fairness on one GPU (speed 1 for both jobs, n = 2, so tput_eq = 1/2):
    // A: total 4, remaining 1, elapsed 4 → T_iso = 8, ρ_A = (4 + 1/x_A)/8.
    // B: total 2, remaining 2, elapsed 0 → T_iso = 4, ρ_B = (2/x_B)/4 = 1/(2x_B).
    // The optimum uses the whole GPU and equalizes: (4 + 1/x)/8 = 1/(2(1 − x)) → 4x² + x − 1 = 0 →
    // x_A = (√17 − 1)/8 ≈ 0.390388, x_B ≈ 0.609612, ρ = 1/(2x_B) ≈ 0.820194. (Equal shares would give
    // ρ_A = 0.75, ρ_B = 1.)
    func testFinishTimeHandSolved() throws {
        let p = GavelPolicy.Problem(throughput: [[1], [1]], gpus: [1, 1], capacity: [1],
                                    elapsed: [4, 0], remaining: [1, 2], totalWork: [4, 2])
        let s = try GavelPolicy.solve(p, objective: .finishTime, rhoTolerance: 1e-10, rhoIterations: 200)
        let xA = (17.0.squareRoot() - 1) / 8
        // To 1e-5: each feasibility LP is solved to GLPK's feasibility tolerance (1e-7), which ρ amplifies.
        XCTAssertEqual(s.x[0][0], xA, accuracy: 1e-5)
        XCTAssertEqual(s.x[1][0], 1 - xA, accuracy: 1e-5)
        XCTAssertEqual(s.value, 1 / (2 * (1 - xA)), accuracy: 1e-5)
        XCTAssertGreaterThan(s.solves, 10)  // bisection, not a single LP

        // A coarse tolerance stops early: the answer is feasible (ρ at or above the optimum, within the tolerance).
        let coarse = try GavelPolicy.solve(p, objective: .finishTime, rhoTolerance: 0.01, rhoIterations: 50)
        XCTAssertGreaterThanOrEqual(coarse.value, 1 / (2 * (1 - xA)) - 1e-9)
        XCTAssertLessThanOrEqual(coarse.value, 1 / (2 * (1 - xA)) * 1.02)
        XCTAssertLessThan(coarse.solves, s.solves)
        // The iteration cap holds even with a tolerance that would need more steps.
        let capped = try GavelPolicy.solve(p, objective: .finishTime, rhoTolerance: 1e-10, rhoIterations: 3)
        XCTAssertLessThanOrEqual(capped.solves, 1 + 2 + 3)  // the lower bound, two doublings at most, 3 steps
    }

    // With every job at its start (elapsed 0, remaining = total), ρ_j = (W/tput_j)/(W/tput_eq_j) = 1/(normalized
    // throughput), so minimizing the largest ρ is max-min: on the two-type case above, X = 1/2 everywhere and ρ = 1.
    // Same answer on a rerun (deterministic).
    func testFinishTimeAtSubmissionIsMaxMin() throws {
        let p = GavelPolicy.Problem(throughput: [[1, 4], [1, 1.5]], gpus: [1, 1], capacity: [1, 1],
                                    elapsed: [0, 0], remaining: [10, 10], totalWork: [10, 10])
        let a = try GavelPolicy.solve(p, objective: .finishTime, rhoTolerance: 1e-9, rhoIterations: 200)
        XCTAssertEqual(try GavelPolicy.solve(p, objective: .finishTime, rhoTolerance: 1e-9, rhoIterations: 200), a)
        XCTAssertEqual(a.value, 1, accuracy: 1e-6)
        for row in a.x { for x in row { XCTAssertEqual(x, 0.5, accuracy: 1e-5) } }
    }

    // MARK: - Parameters

    private func decode(_ json: String) throws -> GavelPolicy.Parameters {
        try JSONDecoder().decode(GavelPolicy.Parameters.self, from: Data(json.utf8))
    }

    /// Decoding `json` fails at `key` with a message containing `phrase`.
    private func assertRejected(_ json: String, key: String, _ phrase: String, line: UInt = #line) {
        XCTAssertThrowsError(try decode(json), line: line) { error in
            guard case .dataCorrupted(let ctx)? = error as? DecodingError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(ctx.codingPath.last?.stringValue, key, line: line)
            XCTAssertTrue(ctx.debugDescription.contains(phrase), ctx.debugDescription, line: line)
        }
    }

    func testParametersDefaultsAndValues() throws {
        XCTAssertEqual(try decode("{}"), GavelPolicy.Parameters())
        XCTAssertEqual(GavelPolicy.Parameters().objective, .maxMin)
        XCTAssertEqual(GavelPolicy.Parameters().roundSeconds, 360)
        XCTAssertEqual(GavelPolicy.Parameters().allocationResetSeconds, 0)
        let p = try decode(#"{"objective": "finish-time", "round_s": 60, "priority_epsilon": 0.01, "fill_idle": false, "rho_tolerance": 0.001, "rho_iterations": 20, "allocation_reset_s": 1920}"#)
        XCTAssertEqual(p, GavelPolicy.Parameters(objective: .finishTime, roundSeconds: 60, priorityEpsilon: 0.01,
                                                 fillIdle: false, rhoTolerance: 0.001, rhoIterations: 20,
                                                 allocationResetSeconds: 1920))
        XCTAssertEqual(try decode(#"{"allocation_reset_s": 0}"#).allocationResetSeconds, 0)
    }

    func testParametersAreRangeCheckedWithLocatedErrors() {
        assertRejected(#"{"round": 60}"#, key: "round", "unknown field 'round'")
        assertRejected(#"{"objective": "min-max"}"#, key: "objective", "expected one of: max-min, finish-time")
        assertRejected(#"{"round_s": 0}"#, key: "round_s", "1...1e9")
        assertRejected(#"{"round_s": -5}"#, key: "round_s", "got -5")
        assertRejected(#"{"priority_epsilon": 0}"#, key: "priority_epsilon", "(0, 1]")
        assertRejected(#"{"rho_tolerance": 0.9}"#, key: "rho_tolerance", "(0, 0.5]")
        assertRejected(#"{"rho_iterations": 0}"#, key: "rho_iterations", "1 to 200")
        assertRejected(#"{"allocation_reset_s": 0.5}"#, key: "allocation_reset_s", "expected 0 or seconds in 1...1e9, got 0.5")
        assertRejected(#"{"allocation_reset_s": -1}"#, key: "allocation_reset_s", "got -1")
        assertRejected(#"{"allocation_reset_s": 2e9}"#, key: "allocation_reset_s", "1...1e9")
    }

    // The catalog entry documents every parameter the decoder accepts.
    func testCatalogEntryDocumentsEveryParameter() throws {
        let entry = try XCTUnwrap(PolicyCatalog.entry("gavel"))
        let documented = entry.parameters.map { String($0.prefix { $0 != ":" }) }
        XCTAssertEqual(documented, ["objective", "round_s", "priority_epsilon", "fill_idle", "rho_tolerance", "rho_iterations", "allocation_reset_s"])
        XCTAssertEqual(try entry.make(nil).name, "gavel")
    }
}

import ClusterModel
@testable import Scheduling
import SimTestSupport
import XCTest

/// `RunningSuffixAdmission` gives `OneTypeAdmission`'s answers (through `PriorityRunningSet.admitOneType`) while reading
/// only the running jobs at the end of the order that the round's admissions can reach.
final class RunningSuffixAdmissionTests: XCTestCase {

    /// One priority order: running jobs (GPUs held) and waiting jobs (GPUs asked, whether they may use the type, and
    /// whether they really wait) interleaved.
    private struct Order {
        var entries: [PriorityRunningSet.Entry] = []
        var free = 0
    }

    /// What the suffix admission refuses and admits on `o`, by JobID, and the running positions it read.
    private func suffixAnswers(_ o: Order) -> (refused: [JobID], admitted: [JobID], read: Set<Int>, done: Bool) {
        let running = o.entries.filter { $0.kind == .running }
        var read = Set<Int>()
        func gpus(_ j: Int) -> Int {
            read.insert(j)
            return Int(running[j].gpus)
        }
        var a = RunningSuffixAdmission(free: o.free, runningCount: running.count)
        var refused: [JobID] = [], admitted: [JobID] = []
        var j = 0  // running jobs before the entry
        var done = false
        for e in o.entries {
            if e.kind == .running {
                j += 1
                continue
            }
            if a.isDone { done = true; break }
            a.decideRunning(upTo: j, gpus: gpus) { refused.append(running[$0].id) }
            if a.isDone { done = true; break }
            guard e.kind == .waiting else { continue }
            if a.admitWaiting(gpus: Int(e.gpus), usesType: e.usesTypeZero, runningGPUs: gpus) { admitted.append(e.id) }
        }
        a.decideRunning(upTo: running.count, gpus: gpus) { refused.append(running[$0].id) }
        return (refused, admitted, read, done || a.isDone)
    }

    /// `admitOneType`'s answers over the whole order.
    private func plainAnswers(_ o: Order, topology: Topology) throws -> (refused: [JobID], admitted: [JobID]) {
        var cluster = ClusterState(topology: topology)
        // Hold every GPU but `free` of them, so that the planner reports `free` free GPUs of type 0.
        let held = topology.gpuCount - o.free
        if held > 0 { try cluster.allocate((0..<held).map { GPUID($0) }, to: JobID(999_999)) }
        let planner = PlacementPlanner(cluster: cluster, strategy: PackedPlacement())
        let keep = PriorityRunningSet.admitOneType(order: o.entries, planner: planner)
        var refused: [JobID] = [], admitted: [JobID] = []
        for (i, e) in o.entries.enumerated() {
            let kept = i < keep.count && keep[i]
            if e.kind == .running && !kept { refused.append(e.id) }
            if e.kind == .waiting && kept { admitted.append(e.id) }
        }
        return (refused, admitted)
    }

    private func randomOrder(_ rng: inout SeededGenerator, maxFree: Int) -> Order {
        var o = Order()
        o.free = rng.int(0...maxFree)
        let n = rng.int(0...40)
        for i in 0..<n {
            switch rng.int(0...9) {
            case 0...4:
                o.entries.append(.init(id: JobID(i), kind: .running, gpus: [1, 1, 2, 4, 8][rng.int(0...4)], usesTypeZero: true))
            case 5...8:
                o.entries.append(.init(
                    id: JobID(i), kind: .waiting, gpus: [1, 2, 3, 4, 8, 16][rng.int(0...5)], usesTypeZero: rng.int(0...7) != 0))
            default:
                o.entries.append(.init(id: JobID(i), kind: .other, gpus: 0, usesTypeZero: true))
            }
        }
        return o
    }

    // 20,000 seeded random orders (free GPUs, running jobs of 1–8 GPUs, waiting jobs of 1–16 that may or may not use the
    // type, entries that neither run nor wait): the same refusals and admissions, in order, as `admitOneType`.
    func testSameAnswersAsAdmitOneType() throws {
        let topology = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 8, gpuType: "a100-80")]])
        var rng = SeededGenerator(seed: 20261202)
        var refusals = 0, admissions = 0
        for round in 0..<20_000 {
            let o = randomOrder(&rng, maxFree: 8)
            let fast = suffixAnswers(o)
            let plain = try plainAnswers(o, topology: topology)
            XCTAssertEqual(fast.refused, plain.refused, "round \(round)")
            XCTAssertEqual(fast.admitted, plain.admitted, "round \(round)")
            refusals += fast.refused.count
            admissions += fast.admitted.count
            if fast.refused != plain.refused || fast.admitted != plain.admitted { return }
        }
        // Both answers really happen (the orders exercise refusals, not only keeps).
        XCTAssertGreaterThan(refusals, 1_000)
        XCTAssertGreaterThan(admissions, 1_000)
    }

    // A full cluster of 1,000 one-GPU running jobs and a 2-GPU waiting job ranked before the last 10: the job is admitted
    // and displaces the last two; the admission reads only those two (the suffix that holds fewer GPUs than the
    // request), not the 998 before them.
    func testReadsOnlyTheSuffixTheAdmissionsReach() {
        var o = Order()
        for i in 0..<990 { o.entries.append(.init(id: JobID(i), kind: .running, gpus: 1, usesTypeZero: true)) }
        o.entries.append(.init(id: JobID(5_000), kind: .waiting, gpus: 2, usesTypeZero: true))
        for i in 990..<1_000 { o.entries.append(.init(id: JobID(i), kind: .running, gpus: 1, usesTypeZero: true)) }
        let fast = suffixAnswers(o)
        XCTAssertEqual(fast.admitted, [JobID(5_000)])
        XCTAssertEqual(fast.refused, [JobID(998), JobID(999)])
        XCTAssertEqual(fast.read, [998, 999])
        // A 16-GPU job behind the same cluster, before its last 10 jobs: refused (10 GPUs after it), having read those 10.
        o.entries[990] = .init(id: JobID(5_000), kind: .waiting, gpus: 16, usesTypeZero: true)
        let refused = suffixAnswers(o)
        XCTAssertEqual(refused.admitted, [])
        XCTAssertEqual(refused.refused, [])
        XCTAssertEqual(refused.read, Set(990..<1_000))
    }

    // Free GPUs and an admission that takes them all: nothing running is read, nothing refused, and the admission is done.
    func testFreeGPUsAreTakenWithoutReadingRunningJobs() {
        var o = Order()
        o.free = 4
        for i in 0..<50 { o.entries.append(.init(id: JobID(i), kind: .running, gpus: 2, usesTypeZero: true)) }
        o.entries.append(.init(id: JobID(100), kind: .waiting, gpus: 4, usesTypeZero: true))
        o.entries.append(.init(id: JobID(101), kind: .waiting, gpus: 1, usesTypeZero: true))
        let fast = suffixAnswers(o)
        XCTAssertEqual(fast.admitted, [JobID(100)])
        XCTAssertEqual(fast.refused, [])
        XCTAssertEqual(fast.read, [])
        XCTAssertTrue(fast.done)
    }
}

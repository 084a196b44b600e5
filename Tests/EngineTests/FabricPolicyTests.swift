import ClusterModel
import Engine
import Foundation
import Models
import Performance
import Scheduling
import SimKernel
import SimRandom
import SimTestSupport
import Workload
import XCTest

/// `fabric` end to end: it grows a lone elastic job into an idle node, shrinks it to admit a newcomer, refuses a
/// growth whose cost exceeds its gain, and keeps every invariant on random elastic workloads.
final class FabricPolicyTests: XCTestCase {
    /// Two 4-GPU t4 micro nodes in one rack (intra-node 10 GB/s; one 10 GB/s NIC each).
    private let two = ClusterFixtures.microCluster(nodesPerRack: 2)

    private func bert(_ i: Int, iterations: Double, gpus: Int, range: ClosedRange<Int>?, submit: Double = 0) -> JobSpec {
        var j = JobSpec(id: JobID(i), name: "b\(i)", submitTime: .seconds(submit), gpuCount: gpus,
                        model: ModelZoo.index(named: "bert-base")!, work: .iterations(iterations))
        if let range {
            j.gpuRange = range
            j.globalBatch = gpus * 8
        }
        return j
    }

    private func run(_ jobs: [JobSpec], _ policy: FabricPolicy = FabricPolicy(), costs: any TransitionCostModel = FreeTransitions(),
                     topology: Topology? = nil, line: UInt = #line) throws -> RunResult {
        let check = InvariantObserver()
        let r = try simulate(jobs: jobs, topology: topology ?? two, policy: policy, observers: [check], costs: costs)
        XCTAssertNil(check.firstViolation, line: line)
        XCTAssertEqual(r.unfinishedJobs, [], line: line)
        return r
    }

    // bert-base asks for 4 GPUs (one node) and may use 2 to 8. Alone, on 8 GPUs its iteration is faster than on 4
    // (half the compute each, the all-reduce crossing the NICs), so fabric starts it on both nodes at once. A rigid
    // 4-GPU job arriving at 100 s makes fabric shrink it back to one node and start the newcomer; when that one
    // ends, it grows again.
    func testGrowsIntoAnIdleNodeAndShrinksToAdmit() throws {
        let oracle = ThroughputOracle(model: AlphaBetaThroughput(topology: two, jobs: [bert(0, iterations: 1, gpus: 4, range: 2...8)],
                                                                 referenceNodes: [0]), topology: two)
        let job = bert(0, iterations: 20_000, gpus: 4, range: 2...8)
        XCTAssertGreaterThan(oracle.rate(of: job, on: (0..<8).map(GPUID.init)), oracle.rate(of: job, on: (0..<4).map(GPUID.init)))
        let r = try run([job, bert(1, iterations: 200, gpus: 4, range: nil, submit: 100)])
        let rows = r.allocations.filter { $0.job == JobID(0) }.sorted { $0.start < $1.start }
        // Started on both nodes at t = 0, shrunk at 100 s to node 0 alone, grown again when job 1 ends.
        XCTAssertEqual(rows.filter { $0.start.seconds == 0 }.map(\.node), [NodeID(0), NodeID(1)])
        XCTAssertTrue(rows.contains { $0.node == NodeID(1) && $0.end.seconds == 100 }, "\(rows)")
        XCTAssertTrue(rows.contains { $0.node == NodeID(0) && $0.start.seconds == 100 && $0.localGPUs.count == 4 }, "\(rows)")
        XCTAssertEqual(r.jobs[1].firstStart?.seconds, 100)
        let end1 = r.jobs[1].finish!
        XCTAssertTrue(rows.contains { $0.node == NodeID(1) && $0.start == end1 }, "\(rows)")
        XCTAssertEqual(r.jobs[0].resizes, 2)
        XCTAssertEqual(r.jobs[1].resizes, 0)
    }

    // Node 1 is busy with a rigid job when the elastic one starts; once it ends, growing the elastic job would save
    // an hour or so. With a resize that costs 10⁶ s fabric never grows it; with a live reshard (well under a
    // second) it does.
    func testRefusesAGrowthThatDoesNotRepayItsCost() throws {
        let job = bert(1, iterations: 20_000, gpus: 4, range: 2...8)
        let jobs = [bert(0, iterations: 300, gpus: 4, range: nil), job]
        let r = try run(jobs, costs: FixedTransitionCosts(resize: 1e6))
        XCTAssertEqual(r.jobs[1].resizes, 0)
        XCTAssertEqual(Set(r.allocations.filter { $0.job == JobID(1) }.map(\.node)), [NodeID(1)])
        let live = try run(jobs, costs: LiveReshardingCosts(topology: two, reinitSeconds: 0.5))
        XCTAssertEqual(live.jobs[1].resizes, 1)
        XCTAssertLessThan(live.jobs[1].finish!, r.jobs[1].finish!)
        XCTAssertEqual(live.metric("realloc_gpu_hours"), live.jobs[1].reallocationGPUSeconds / 3600, accuracy: 1e-12)
        XCTAssertGreaterThan(live.metric("realloc_gpu_hours"), 0)
    }

    // The scenario of the first test, priced: the elastic job holds both nodes and has hours of work left when the
    // rigid newcomer arrives at 100 s. A 60 s reshard is repaid twice by the wait it spares (the elastic job's
    // remaining hours, the soonest any GPU frees), so fabric shrinks; a 10⁶ s one is not, so the newcomer waits for
    // the elastic job to finish and nobody is resized.
    func testShrinksToAdmitOnlyWhenTheWaitSparedRepaysTheReshard() throws {
        let jobs = [bert(0, iterations: 20_000, gpus: 4, range: 2...8), bert(1, iterations: 200, gpus: 4, range: nil, submit: 100)]
        let cheap = try run(jobs, costs: FixedTransitionCosts(resize: 60))
        XCTAssertEqual(cheap.jobs[1].firstStart?.seconds, 100)
        XCTAssertGreaterThanOrEqual(cheap.jobs[0].resizes, 1)
        let dear = try run(jobs, costs: FixedTransitionCosts(resize: 1e6))
        XCTAssertEqual(dear.jobs[0].resizes, 0)
        XCTAssertEqual(dear.jobs[1].firstStart, dear.jobs[0].finish)
    }

    // Random clusters and workloads with zoo-model jobs made elastic by the seeded rule, under free, fixed and live
    // reallocation costs: every invariant after every event, every job finishes, a second run is identical.
    func testRandomElasticWorkloads() {
        withEvery("random elastic", in: 0..<40) { seed in
            let (topo, base) = RandomPropertyTests.scenario(seed: seed)
            var rng = SeededGenerator(seed: UInt64(seed) &+ 99)
            let models = ["bert-base", "resnet18", "lm", "transformer"].map { ModelZoo.index(named: $0)! }
            let jobs = base.map { j -> JobSpec in
                var k = JobSpec(id: j.id, name: j.name, submitTime: j.submitTime, gpuCount: j.gpuCount,
                                model: models[rng.int(0...3)], work: .iterations(Double(rng.int(50...400))), gpuType: j.gpuType)
                k.priority = j.priority
                return k
            }
            let elastic = ElasticRule(fraction: 0.7, minFactor: 0.5, maxFactor: 2, maxGPUs: 8)
                .apply(to: jobs, streams: RandomStreams(master: UInt64(seed)), capacity: topo.gpuCount)
            XCTAssertEqual(JobSetup.problems(jobs: elastic, topology: topo), [])
            let costs: [any TransitionCostModel] = [
                FreeTransitions(), FixedTransitionCosts(restore: 1, checkpoint: 1, resize: 2, migrate: 2),
                LiveReshardingCosts(topology: topo, reinitSeconds: 0.2),
            ]
            let policies: [(String, () -> any SchedulingPolicy)] = [
                ("fabric", { FabricPolicy() }), ("optimus", { OptimusPolicy(.init(intervalSeconds: 7)) }),
                ("pollux", { PolluxPolicy(.init(intervalSeconds: 5)) }),
            ]
            for (c, cost) in costs.enumerated() {
              for (name, make) in policies {
                let label = "seed \(seed) cost \(c) \(name)"
                let check = InvariantObserver()
                let r = try simulate(jobs: elastic, topology: topo, policy: make(), observers: [check], costs: cost)
                XCTAssertNil(check.firstViolation, label)
                XCTAssertEqual(r.unfinishedJobs, [], label)
                let again = try simulate(jobs: elastic, topology: topo, policy: make(), costs: cost)
                XCTAssertEqual(again.jobs, r.jobs, label)
                for (o, spec) in zip(r.jobs, elastic) {
                    // Every allocation of a job is within its allowed range.
                    for a in r.allocations where a.job == o.id { XCTAssertLessThanOrEqual(a.localGPUs.count, spec.allowedGPUCounts.upperBound, label) }
                }
              }
            }
        }
    }

    // Two lm jobs asking for 2 GPUs each (1 to 4 allowed) on one 4-GPU node, one with 100× the work of the other.
    // Optimus gives the spare GPUs to the long job (its remaining time drops most: 3 + 1); Pollux, whose speed-ups do
    // not depend on the work left, splits them evenly (2 + 2) under its default fairness p = −1.
    func testOptimusFavoursLongJobsPolluxSplitsEvenly() throws {
        let one = ClusterFixtures.microCluster(nodesPerRack: 1)
        func lm(_ i: Int, _ iterations: Double) -> JobSpec {
            var j = JobSpec(id: JobID(i), name: "lm\(i)", submitTime: .zero, gpuCount: 2,
                            model: ModelZoo.index(named: "lm")!, work: .iterations(iterations))
            j.gpuRange = 1...4
            j.globalBatch = 2 * 20
            return j
        }
        let jobs = [lm(0, 100_000), lm(1, 1000)]
        func startSizes(_ policy: any SchedulingPolicy) throws -> [Int] {
            let check = InvariantObserver()
            let r = try simulate(jobs: jobs, topology: one, policy: policy, observers: [check])
            XCTAssertNil(check.firstViolation)
            XCTAssertEqual(r.unfinishedJobs, [])
            return (0..<2).map { i in r.allocations.filter { $0.job == JobID(i) && $0.start == .zero }.reduce(0) { $0 + $1.localGPUs.count } }
        }
        XCTAssertEqual(try startSizes(OptimusPolicy()), [3, 1])
        XCTAssertEqual(try startSizes(PolluxPolicy()), [2, 2])
    }

    func testParametersAreChecked() throws {
        struct Made: Decodable {
            let policy: any SchedulingPolicy
            init(from decoder: Decoder) throws { policy = try PolicyCatalog.entry("fabric")!.make(decoder) }
        }
        func make(_ json: String) throws -> FabricPolicy.Parameters {
            let policy = try JSONDecoder().decode(Made.self, from: Data(json.utf8)).policy
            return try XCTUnwrap(policy as? FabricPolicy).parameters
        }
        XCTAssertEqual(try make(#"{"payback": 5, "shrink_to_admit": false}"#), .init(payback: 5, shrinkToAdmit: false))
        for (json, phrase) in [(#"{"payback": -1}"#, "0...1000"), (#"{"max_grows_per_round": 1e9}"#, "0...10000"),
                               (#"{"grow": true}"#, "unknown field 'grow'")] {
            XCTAssertThrowsError(try make(json), json) { e in XCTAssertTrue("\(e)".contains(phrase), "\(json): \(e)") }
        }
    }
}

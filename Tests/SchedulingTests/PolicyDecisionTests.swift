import ClusterModel
import Scheduling
import SimTestSupport
import XCTest

final class FIFODecisionTests: XCTestCase {
    private let topo = ClusterFixtures.microCluster(nodesPerRack: 1)  // 4 GPUs

    // The head job that does not fit blocks smaller jobs behind it, even with free GPUs.
    func testHeadOfLineBlocks() {
        let s = makeSnapshot(topology: topo, now: 5, jobs: [
            .running(job(0, submit: 0, gpus: 2, duration: 10), on: [0, 1], until: 10),
            .queued(job(1, submit: 1, gpus: 3, duration: 5)),
            .queued(job(2, submit: 2, gpus: 1, duration: 1)),
        ])
        XCTAssertEqual(decide(FIFOPolicy(), on: s), [])
    }

    // Jobs start in submission order until the first that does not fit.
    func testStartsInOrderUntilBlocked() {
        let s = makeSnapshot(topology: topo, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 1, duration: 9)), .queued(job(1, submit: 0, gpus: 1, duration: 1)),
            .queued(job(2, submit: 0, gpus: 4, duration: 1)), .queued(job(3, submit: 0, gpus: 1, duration: 1)),
        ])
        XCTAssertEqual(decide(FIFOPolicy(), on: s), [start(0, [0]), start(1, [1])])
    }
}

final class SJFDecisionTests: XCTestCase {
    private let topo = ClusterFixtures.microCluster(nodesPerRack: 1)

    // Shortest known duration first, ties by JobID, until GPUs run out.
    func testShortestFirst() {
        let s = makeSnapshot(topology: topo, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 1, duration: 100)), .queued(job(1, submit: 0, gpus: 1, duration: 10)),
            .queued(job(2, submit: 0, gpus: 2, duration: 50)), .queued(job(3, submit: 0, gpus: 1, duration: 10)),
        ])
        XCTAssertEqual(decide(SJFPolicy(), on: s), [start(1, [0]), start(3, [1]), start(2, [2, 3])])
    }

    // A short job that does not fit is skipped by default and stops the round with blocking: true.
    func testSkipVersusBlocking() {
        let s = makeSnapshot(topology: topo, now: 3, jobs: [
            .running(job(0, submit: 0, gpus: 2, duration: 10), on: [0, 1], until: 10),
            .queued(job(1, submit: 1, gpus: 4, duration: 5)),
            .queued(job(2, submit: 2, gpus: 1, duration: 20)),
        ])
        XCTAssertEqual(decide(SJFPolicy(), on: s), [start(2, [2])])
        XCTAssertEqual(decide(SJFPolicy(.init(blocking: true)), on: s), [])
    }
}

final class EASYBackfillDecisionTests: XCTestCase {
    // 6-GPU node. J0 runs on gpu0–1 until 100. Round at 0: J1 (2 GPUs, 10 s) starts on gpu2–3; head J2 needs 3,
    // 2 free; releases: J1@10 (+2 → 4 ≥ 3) → shadow 10, extra 1. J3 (2 GPUs, 20 s) ends 20 > 10 and 2 > 1 → no.
    // J4 (1 GPU, 50 s) uses ≤ extra → backfilled on gpu4. (Ignoring J1's release would give shadow 100 and
    // wrongly start J3.)
    func testShadowCountsJobsStartedThisRound() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro(gpus: 6)]])
        let s = makeSnapshot(topology: topo, now: 0, jobs: [
            .running(job(0, submit: 0, gpus: 2, duration: 100), on: [0, 1], until: 100),
            .queued(job(1, submit: 0, gpus: 2, duration: 10)),
            .queued(job(2, submit: 0, gpus: 3, duration: 10)),
            .queued(job(3, submit: 0, gpus: 2, duration: 20)),
            .queued(job(4, submit: 0, gpus: 1, duration: 50)),
        ])
        XCTAssertEqual(decide(EASYBackfillPolicy(), on: s), [start(1, [2, 3]), start(4, [4])])
        // depth 1: only J3 (the first job behind the head) is considered, and it may not start.
        XCTAssertEqual(decide(EASYBackfillPolicy(.init(depth: 1)), on: s), [start(1, [2, 3])])
    }

    // 4 GPUs, J0 on gpu0–1 until 10, now 2, head J1 needs 4 → shadow 10, extra 0. A 1-GPU job ending at 11 must
    // not start; one ending exactly at 10 may.
    func testBackfillOnlyIfEndsByShadow() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 1)
        func snap(_ d: Double) -> ClusterSnapshot {
            makeSnapshot(topology: topo, now: 2, jobs: [
                .running(job(0, submit: 0, gpus: 2, duration: 10), on: [0, 1], until: 10),
                .queued(job(1, submit: 1, gpus: 4, duration: 5)),
                .queued(job(2, submit: 2, gpus: 1, duration: d)),
            ])
        }
        XCTAssertEqual(decide(EASYBackfillPolicy(), on: snap(9)), [])
        XCTAssertEqual(decide(EASYBackfillPolicy(), on: snap(8)), [start(2, [2])])
    }

    // A job of a GPU type the head cannot use may backfill however long it runs; an any-type job may not.
    func testDisjointTypesBackfill() {
        let topo = ClusterFixtures.topology(nodesPerRack: [[ClusterFixtures.micro4, ClusterFixtures.micro(gpuType: "a100-80")]])
        let s = makeSnapshot(topology: topo, now: 0, jobs: [
            .running(job(0, submit: 0, gpus: 4, duration: 100, gpuType: "t4"), on: [0, 1, 2, 3], until: 100),
            .queued(job(1, submit: 0, gpus: 4, duration: 10, gpuType: "t4")),
            .queued(job(2, submit: 0, gpus: 1, duration: 1000, gpuType: "a100-80")),
            .queued(job(3, submit: 0, gpus: 1, duration: 1000)),
        ])
        XCTAssertEqual(decide(EASYBackfillPolicy(), on: s), [start(2, [4])])
    }

    // With nothing blocked, EASY behaves like FIFO.
    func testNoBlockingIsFIFO() {
        let topo = ClusterFixtures.microCluster(nodesPerRack: 1)
        let s = makeSnapshot(topology: topo, now: 0, jobs: [
            .queued(job(0, submit: 0, gpus: 3, duration: 10)), .queued(job(1, submit: 0, gpus: 1, duration: 10)),
        ])
        XCTAssertEqual(decide(EASYBackfillPolicy(), on: s), [start(0, [0, 1, 2]), start(1, [3])])
    }
}

import ClusterModel
import Models
import Network
import Performance
import SimKernel
import SimTestSupport
import Workload
import XCTest

/// Time-sliced groups share one flow set (`FabricFlows`): a job that time-slices exactly the GPUs of an attached job
/// rides that job's flows, adding no traffic, and its collective time is its own plan at the carrier's rates; when
/// the carrier stops, its flows pass to the rider unchanged. Packed co-tenants, partial overlaps and duty-cycled
/// flows keep flows of their own.
final class TimeSlicedFlowsTests: XCTestCase {
    private let bert = ModelZoo.index(named: "bert-base")!
    private let resnet50 = ModelZoo.index(named: "resnet50")!

    /// Two nodes of four PCIe GPUs in one rack: every GPU of a node reaches the other node through the node's NIC.
    private let topology = ClusterFixtures.microCluster(nodesPerRack: 2)
    /// Job 0 and its rider over both nodes; job 2 over both nodes on other GPUs, sharing the NICs with them.
    private let spread = [GPUID(0), GPUID(1), GPUID(4), GPUID(5)]
    private let other = [GPUID(2), GPUID(6)]

    private var jobs: [JobSpec] {
        [JobSpec(id: JobID(0), name: "j0", submitTime: .zero, gpuCount: 4, model: bert, work: .iterations(10)),
         JobSpec(id: JobID(1), name: "j1", submitTime: .zero, gpuCount: 4, model: resnet50, work: .iterations(10)),
         JobSpec(id: JobID(2), name: "j2", submitTime: .zero, gpuCount: 2, model: bert, work: .iterations(10))]
    }

    private func model(dutyCycle: Bool = false) -> FlowThroughput {
        FlowThroughput(interconnect: Interconnect(graph: LinkGraph(topology: topology), linksPerSample: 64, dutyCycle: dutyCycle),
                       jobs: jobs, referenceNodes: [0, 0, 0])
    }

    private func loads(_ m: FlowThroughput) -> [String: UInt64] {
        Dictionary(uniqueKeysWithValues: m.busiestLinks().map { ($0.name, $0.utilization.bitPattern) })
    }

    func testRiderAddsNoTrafficAndRunsAtItsCarriersRates() {
        let jobs = self.jobs
        // With the rider; without it; and the rider alone in its carrier's place.
        let withRider = model(), without = model(), inPlace = model()
        _ = withRider.attach(jobs[0], on: spread)
        _ = withRider.attach(jobs[2], on: other)
        XCTAssertEqual(withRider.attach(jobs[1], on: spread, timeSlicingWith: [JobID(0)]), [])
        _ = withRider.flush()
        _ = without.attach(jobs[0], on: spread)
        _ = without.attach(jobs[2], on: other)
        _ = without.flush()
        _ = inPlace.attach(jobs[1], on: spread)
        _ = inPlace.attach(jobs[2], on: other)
        _ = inPlace.flush()

        XCTAssertEqual(withRider.carrier(of: JobID(1)), JobID(0))
        XCTAssertNil(withRider.carrier(of: JobID(0)))
        XCTAssertEqual(loads(withRider), loads(without), "the rider puts no traffic on any link")
        XCTAssertFalse(loads(without).isEmpty)
        for (j, g) in [(jobs[0], spread), (jobs[2], other)] {
            XCTAssertEqual(withRider.currentStep(of: j, on: g).seconds.bitPattern, without.currentStep(of: j, on: g).seconds.bitPattern)
        }
        // Same paths, same competitors, same rates: only the bytes are the rider's own.
        let riding = withRider.currentStep(of: jobs[1], on: spread)
        XCTAssertEqual(riding.communication.bitPattern, inPlace.currentStep(of: jobs[1], on: spread).communication.bitPattern)
        XCTAssertGreaterThan(riding.communication, withRider.isolatedStep(of: jobs[1], on: spread).communication,
                             "the rider still feels its carrier's competitor on the NICs")

        // The carrier stops: its flows pass to the rider, nothing in the network moves.
        XCTAssertEqual(withRider.detach(JobID(0)), [])
        XCTAssertEqual(withRider.flush(), [], "no rate changed")
        XCTAssertNil(withRider.carrier(of: JobID(1)))
        XCTAssertEqual(withRider.currentStep(of: jobs[1], on: spread), riding)
        XCTAssertEqual(loads(withRider), loads(inPlace), "the rider's flows are its carrier's, at the same rates")

        // The heir stops too: now the network changes, for job 2.
        _ = withRider.detach(JobID(1))
        XCTAssertEqual(withRider.flush(), [JobID(2)])
        let alone = model()
        _ = alone.attach(jobs[2], on: other)
        _ = alone.flush()
        XCTAssertEqual(withRider.currentStep(of: jobs[2], on: other).communication,
                       alone.currentStep(of: jobs[2], on: other).communication, accuracy: 1e-12)
    }

    // A change of the carrier's rates re-rates its riders: the flush lists them.
    func testRidersAreReportedWithTheirCarrier() {
        let jobs = self.jobs
        let m = model()
        _ = m.attach(jobs[0], on: spread)
        _ = m.attach(jobs[1], on: spread, timeSlicingWith: [JobID(0)])
        XCTAssertEqual(m.flush(), [JobID(0), JobID(1)])
        let before = m.currentStep(of: jobs[1], on: spread).communication
        _ = m.attach(jobs[2], on: other)
        XCTAssertEqual(m.flush(), [JobID(0), JobID(1), JobID(2)], "job 2 slows the carrier's flows, so the rider too")
        XCTAssertGreaterThan(m.currentStep(of: jobs[1], on: spread).communication, before)
        // A rider leaving changes nothing.
        XCTAssertEqual(m.detach(JobID(1)), [])
        XCTAssertEqual(m.flush(), [])
    }

    // An isolated carrier (a ring on one node) carries its rider in isolation; the heir stays isolated.
    func testIsolatedCarrierPassesItsIsolation() {
        let jobs = self.jobs
        let node = [GPUID(0), GPUID(1), GPUID(2), GPUID(3)]
        let m = model(), inPlace = model()
        _ = m.attach(jobs[0], on: node)
        _ = m.attach(jobs[1], on: node, timeSlicingWith: [JobID(0)])
        _ = m.flush()
        _ = inPlace.attach(jobs[1], on: node)
        _ = inPlace.flush()
        XCTAssertEqual(m.carrier(of: JobID(1)), JobID(0))
        let expected = inPlace.currentStep(of: jobs[1], on: node)
        XCTAssertEqual(m.currentStep(of: jobs[1], on: node).communication.bitPattern, expected.communication.bitPattern)
        _ = m.detach(JobID(0))
        XCTAssertEqual(m.flush(), [])
        XCTAssertEqual(m.isIsolated(JobID(1)), inPlace.isIsolated(JobID(1)))
        XCTAssertEqual(m.currentStep(of: jobs[1], on: node).communication.bitPattern, expected.communication.bitPattern)
        XCTAssertEqual(loads(m), loads(inPlace))
    }

    // Not riders: a packed co-tenant (no slice mates), a partial overlap, and duty-cycled flows.
    func testOtherCoTenantsKeepFlowsOfTheirOwn() {
        let jobs = self.jobs
        let alone = model()
        _ = alone.attach(jobs[0], on: spread)
        _ = alone.flush()
        let soloComm = alone.currentStep(of: jobs[0], on: spread).communication

        let packed = model()
        _ = packed.attach(jobs[0], on: spread)
        _ = packed.attach(jobs[1], on: spread)
        _ = packed.flush()
        XCTAssertNil(packed.carrier(of: JobID(1)))
        XCTAssertGreaterThan(packed.currentStep(of: jobs[0], on: spread).communication, soloComm)

        let partial = model()
        _ = partial.attach(jobs[0], on: spread)
        _ = partial.attach(jobs[2], on: [GPUID(0), GPUID(4)], timeSlicingWith: [JobID(0)])
        _ = partial.flush()
        XCTAssertNil(partial.carrier(of: JobID(2)), "GPUs 0 and 4 are not job 0's placement")
        XCTAssertGreaterThan(partial.currentStep(of: jobs[0], on: spread).communication, soloComm)

        let reordered = model()
        _ = reordered.attach(jobs[0], on: spread)
        _ = reordered.attach(jobs[1], on: spread.reversed(), timeSlicingWith: [JobID(0)])
        _ = reordered.flush()
        XCTAssertNil(reordered.carrier(of: JobID(1)), "another ring order has other flows")

        let bursty = model(dutyCycle: true)
        _ = bursty.attach(jobs[0], on: spread)
        _ = bursty.attach(jobs[1], on: spread, timeSlicingWith: [JobID(0)])
        _ = bursty.flush()
        XCTAssertNil(bursty.carrier(of: JobID(1)), "duty-cycled flows are not shared")
    }
}

import Foundation
import ClusterModel
import Network
import Scenario
import Workload
import XCTest

/// The scenario's `network:` section: model choice, fabric parameters and per-template link overrides.
final class NetworkConfigTests: XCTestCase {
    private func load(_ network: String) throws -> Scenario {
        let text = """
            seed: 1
            cluster:
              racks:
                - nodes: [{template: dgx-a100, count: 2}]
            \(network)
            workload:
              synthetic:
                jobs: 2
                arrivals: {rate_per_hour: 10}
                gpus: 1
                duration_s: 10
            policy: {name: fifo}
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-net-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: url) }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try ScenarioLoader.load(path: url.path)
    }

    // Without the section, or with model alpha-beta, there is no interconnect; with it, a flow model.
    func testModelChoice() throws {
        XCTAssertNil(try load("").interconnect)
        XCTAssertNil(try load("network: {model: alpha-beta}").interconnect)
        XCTAssertEqual(try load("network: {gamma: 3}").interconnect?.gamma, 3)
        XCTAssertEqual(try load("network: {gamma: 3}").interconnect?.overlap, .exponent, "Pollux's exponent by default")
        XCTAssertEqual(try load("network: {overlap: ddp-buckets}").interconnect?.overlap, .ddpBuckets)
    }

    // Per-template overrides reach the link graph: 4 NICs of 10 GB/s, so the rack uplink at 2:1 is
    // 2 nodes × 4 × 10 / 2 = 40 GB/s and each NIC link carries 10 GB/s.
    func testTemplateOverridesAndOversubscription() throws {
        let s = try load("network: {oversubscription: 2, templates: {dgx-a100: {nic_count: 4, nic_gbps: 10}}}")
        let graph = try XCTUnwrap(s.interconnect?.graph)
        let nicUp = graph.links.filter { $0.kind == .nicUp }
        XCTAssertEqual(nicUp.count, 8)
        XCTAssertTrue(nicUp.allSatisfy { $0.capacity == 10e9 })
        XCTAssertEqual(graph.links.first { $0.kind == .torUp }?.capacity, 40e9)
    }

    // The fidelity mechanisms' knobs reach the link graph: a 2 GB/s stream × 3 sockets caps each inter-node
    // connection at 6 GB/s, and `flat_ring` turns a 2+2 all-reduce into one ring of four.
    func testMechanismKnobs() throws {
        let s = try load("network: {templates: {dgx-a100: {tcp_stream_gbps: 2, sockets_per_connection: 3, flat_ring: true}}}")
        let graph = try XCTUnwrap(s.interconnect?.graph)
        XCTAssertEqual(graph.nodeConnectionCap, [6e9, 6e9])
        XCTAssertEqual(graph.nodeFlatRing, [true, true])
        let plan = AllReducePlan(gpus: [GPUID(0), GPUID(1), GPUID(8), GPUID(9)], bytes: 1e8, graph: graph)
        XCTAssertEqual(plan.algorithm, .ring)
        XCTAssertEqual(plan.flows.map(\.rateCap), [.infinity, 6e9, .infinity, 6e9])
        let plain = try XCTUnwrap(try load("network: {}").interconnect?.graph)
        XCTAssertEqual(plain.nodeConnectionCap, [.infinity, .infinity])
        XCTAssertThrowsError(try load("network: {templates: {dgx-a100: {sockets_per_connection: 65}}}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.templates.dgx-a100.sockets_per_connection")
        }
        XCTAssertThrowsError(try load("network: {templates: {dgx-a100: {tcp_stream_gbps: 0}}}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.templates.dgx-a100.tcp_stream_gbps")
        }
        // A 3 GB/s node-pair cap: the 2+2 flat ring's two inter-node flows (one each way) get 1.5 GB/s each.
        let paired = try load("network: {templates: {dgx-a100: {tcp_stream_gbps: 2, flat_ring: true, node_pair_gbps: 3}}}")
        let pg = try XCTUnwrap(paired.interconnect?.graph)
        XCTAssertEqual(pg.nodePairCap, [3e9, 3e9])
        XCTAssertEqual(AllReducePlan(gpus: [GPUID(0), GPUID(1), GPUID(8), GPUID(9)], bytes: 1e8, graph: pg).flows.map(\.rateCap),
                       [.infinity, 1.5e9, .infinity, 1.5e9])
        XCTAssertEqual(plain.nodePairCap, [.infinity, .infinity])
        XCTAssertThrowsError(try load("network: {templates: {dgx-a100: {node_pair_gbps: -1}}}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.templates.dgx-a100.node_pair_gbps")
        }
    }

    // Bad values are located errors.
    func testBadValues() throws {
        XCTAssertThrowsError(try load("network: {model: packet}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.model")
        }
        XCTAssertThrowsError(try load("network: {templates: {dgx-z: {nic_gbps: 1}}}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.templates.dgx-z")
        }
        XCTAssertThrowsError(try load("network: {templates: {dgx-a100: {nic_speed: 1}}}")) { e in
            XCTAssertTrue("\(e)".contains("unknown field 'nic_speed'"), "\(e)")
        }
        XCTAssertThrowsError(try load("network: {gamma: 0.5}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.gamma")
        }
        XCTAssertThrowsError(try load("network: {overlap: buckets}")) { e in
            XCTAssertEqual((e as? InputError)?.field, "network.overlap")
            XCTAssertTrue("\(e)".contains("ddp-buckets"), "the error names the accepted values: \(e)")
        }
    }
}

import ClusterModel
import SimKernel

// MARK: - Node-pair cap

extension LinkGraph {
    /// The rate cap of each flow `sources[i]` → `destinations[i]` of one collective: its connection cap
    /// (`connectionCap(fromGPU:toGPU:)`) and, between two nodes whose templates set a node-pair cap
    /// (`NodeTemplate.nodePairBytesPerSecond`; the lower of the two), at most that cap divided by the number of the
    /// collective's flows between the same two nodes in either direction.
    ///
    /// The mechanism: the two directions between one pair of hosts share one limit. A ring over two nodes sends one
    /// flow each way between the same two hosts, so each gets half the pair's cap; a ring over three or more nodes
    /// sends to one neighbour and receives from another, one flow per pair, so only min(connection cap, pair cap) holds
    /// it. Why the Pollux testbed has such a limit (README "Network model fidelity", the two-node rows): its pods talk
    /// through Calico's IP-in-IP tunnel (petuum/adaptdl `benchmark/main.tf` installs Calico v3.11, whose manifest sets
    /// `CALICO_IPV4POOL_IPIP: Always`). An IP-in-IP packet has no ports in its outer header, so all traffic between two
    /// hosts, every job's connection in both directions, is one flow to EC2 (Amazon EC2 User Guide, "Amazon EC2
    /// instance network bandwidth": a flow is a 5-tuple only for TCP and UDP) and lands on one receive queue of each
    /// host's NIC (receive-side scaling hashes ports only where it sees TCP or UDP: Linux
    /// `Documentation/networking/scaling.rst`); the CPU serving that queue receives the peer's data and also sends to
    /// the peer, since TCP transmits queued data from the path that processes an incoming acknowledgement (Linux
    /// `net/ipv4/tcp_input.c`, `tcp_rcv_established` → `tcp_data_snd_check`). Which of these binds was not measured on the
    /// testbed [inferred]; the data only say that two-node communication is 1.25–1.8× slower per byte than three- or
    /// four-node communication at every GPUs-per-node count, so the cap's value is a fitted parameter
    /// (`FabricParameter.nodePairCap`).
    ///
    /// Shares are equal (what max-min sharing gives symmetric flows) and per collective: two jobs between the same
    /// pair of nodes do not share the cap in this model, as they do not share a connection cap.
    /// - Complexity: O(n log n) for n flows where a node-pair cap is set, else O(n).
    public func connectionCaps(sources: [GPUID], destinations: [GPUID]) -> [Double] {
        precondition(sources.count == destinations.count, "one destination per source")
        var caps = zip(sources, destinations).map { connectionCap(fromGPU: $0, toGPU: $1) }
        guard hasNodePairCaps else { return caps }
        // The unordered node pair of each inter-node flow (−1 inside a node), counted by sorting rather than in a hash
        // table, so nothing depends on iteration order.
        var keys = [Int64](repeating: -1, count: caps.count)
        for i in caps.indices {
            let a = Int64(topology.gpuNode[sources[i].index].index)
            let b = Int64(topology.gpuNode[destinations[i].index].index)
            if a != b { keys[i] = min(a, b) << 32 | max(a, b) }
        }
        let sorted = keys.filter { $0 >= 0 }.sorted()
        for i in caps.indices where keys[i] >= 0 {
            let a = Int(keys[i] >> 32)
            let b = Int(keys[i] & 0xffff_ffff)
            let pair = min(nodePairCap[a], nodePairCap[b])
            guard pair.isFinite else { continue }
            let count = sorted.upperBound(of: keys[i]) - sorted.lowerBound(of: keys[i])
            caps[i] = min(caps[i], pair / Double(count))
        }
        return caps
    }
}

/// The node templates SchedLab ships, by catalog name.
///
/// Bandwidths are *achievable* NCCL figures, not line rates (all-reduce bus bandwidth as NVIDIA/nccl-tests reports it:
/// issue 175 for 8× A100 on NVSwitch, issue 212 for H100, issues 29 and 290 and NVIDIA/nccl issue 1048 per NIC).
/// Per-step latencies α are defaults to be calibrated by the hardware backend: the notes give all-reduce
/// small-message floors of ~10–20 µs inside an NVLink node and ~20–40 µs across IB [unverified], which a
/// ring of 8 spends over 2(n−1) = 14 steps, hence ≈1 µs and ≈2.5 µs per step here [derived].
public enum NodeTemplateCatalog {
    private static let gb = 1e9

    /// Every template, in listing order.
    public static let all: [NodeTemplate] = [
        NodeTemplate(
            name: "dgx-a100", summary: "8x A100-80 on NVSwitch (NVLink3), 8x 200 Gb/s HDR NICs",
            gpuType: GPUCatalog.named("a100-80")!, gpuCount: 8, intraNodeClass: .nvswitch,
            // 8x A100 all-reduce busbw ~232 GB/s (NVIDIA/nccl-tests#175).
            intraNode: LinkParameters(bandwidthBytesPerSecond: 232 * gb, latencySeconds: 1e-6),
            // HDR 200 Gb/s = 25 GB/s line, ~24 GB/s achievable per NIC (NVIDIA/nccl#1048).
            nicCount: 8, nic: LinkParameters(bandwidthBytesPerSecond: 24 * gb, latencySeconds: 2.5e-6),
            source: "nccl-tests#175 (NVLink3 busbw), nccl#1048 (HDR per-NIC)"),
        NodeTemplate(
            name: "dgx-h100", summary: "8x H100 on NVSwitch (NVLink4), 8x 400 Gb/s NDR NICs",
            gpuType: GPUCatalog.named("h100")!, gpuCount: 8, intraNodeClass: .nvswitch,
            // NCCL reaches ~370 GB/s of NVLink4's 450 GB/s per direction (sjeaugey, NVIDIA/nccl-tests#212).
            intraNode: LinkParameters(bandwidthBytesPerSecond: 370 * gb, latencySeconds: 1e-6),
            // NDR 400 Gb/s = 50 GB/s line, 46–48 GB/s per NIC in NCCL (NVIDIA/nccl-tests#290).
            nicCount: 8, nic: LinkParameters(bandwidthBytesPerSecond: 47 * gb, latencySeconds: 2.5e-6),
            source: "nccl-tests#212 (NVLink4), nccl-tests#290 (NDR per-NIC)"),
        NodeTemplate(
            name: "pcie-4gpu", summary: "4 PCIe GPUs (default T4) on a PCIe Gen3 switch, 1x 100 Gb/s NIC",
            gpuType: GPUCatalog.named("t4")!, gpuCount: 4, intraNodeClass: .pcie,
            // PCIe Gen3 x16: 15.75 GB/s line, ~12 GB/s achievable [derived]; PCIe switch hop latency ~2 µs.
            intraNode: LinkParameters(bandwidthBytesPerSecond: 12 * gb, latencySeconds: 2e-6),
            // EDR/100 GbE: 12.5 GB/s line, 12.2 GB/s in NCCL (sjeaugey, NVIDIA/nccl-tests#29).
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 12.2 * gb, latencySeconds: 5e-6),
            source: "PCIe Gen3 arithmetic [derived]; nccl-tests#29 (100 Gb/s per-NIC)"),
        NodeTemplate(
            name: "pcie-8gpu", summary: "8 PCIe GPUs (default L4) on PCIe Gen4 switches, 2x 100 Gb/s NICs",
            gpuType: GPUCatalog.named("l4")!, gpuCount: 8, intraNodeClass: .pcie,
            // PCIe Gen4 x16: 31.5 GB/s line, ~25 GB/s achievable [derived].
            intraNode: LinkParameters(bandwidthBytesPerSecond: 25 * gb, latencySeconds: 2e-6),
            nicCount: 2, nic: LinkParameters(bandwidthBytesPerSecond: 12.2 * gb, latencySeconds: 5e-6),
            source: "PCIe Gen4 arithmetic [derived]; nccl-tests#29 (100 Gb/s per-NIC)"),
        // The Pollux testbed (Qiao et al., OSDI'21): 16 AWS g4dn.12xlarge (petuum/adaptdl, benchmark/main.tf), 4x T4 on
        // PCIe Gen3, 50 Gb/s ENA Ethernet, jobs in Kubernetes pods on a Calico pod network (same main.tf).
        // Intra-node: ~8 GB/s all-reduce bus bandwidth, about half of PCIe Gen3 x16's 15.75 GB/s line rate, as NCCL
        // reaches on PCIe Gen3 hosts without NVLink [derived; unverified on g4dn].
        // Inter-node, three mechanisms (README "Network model fidelity"):
        // - NCCL's flat ring (`flatRing`): NCCL builds rings through every rank, entering and leaving each node once
        //   (NVIDIA/nccl src/graph/search.cc), so a node's NIC carries the ring's whole 2(n−1)/n·S, and a 4+4 job
        //   sends 1.75× the bytes of a 1+1 job through it (the measured 4|4 BERT step is 2.3× the 1|1 one);
        // - one TCP stream per connection (`socketsPerConnection` 1): NCCL_SOCKET_NTHREADS × NCCL_NSOCKS_PERTHREAD,
        //   both 1 unless NCCL recognises the cloud's NIC (NCCL user guide, Environment Variables), which a pod's
        //   virtual interface hides;
        // - the per-stream cap (`tcpStreamBytesPerSecond`): EC2 limits one flow to 5 Gb/s outside a cluster placement
        //   group (10 Gb/s inside; Amazon EC2 User Guide, "Amazon EC2 instance network bandwidth"); main.tf names a
        //   placement group whose strategy it does not show, and Calico's IP-in-IP encapsulation costs single-stream
        //   TCP more, so 5 Gb/s × 0.97 (SimGrid's LV08 TCP bandwidth factor) = 0.606 GB/s [assumption; the
        //   Pollux 1|1, 1|1|1 and 1|1|1|1 rows agree within their spread: Scenarios/measurements/pollux-g4dn.csv].
        // - the node-pair cap (`nodePairBytesPerSecond`): both directions of a job's traffic between two nodes share one
        //   limit, so a two-node ring, which sends one flow each way between the same two hosts, gets half of it per
        //   direction, while a ring over three or more nodes (one flow per pair) is held by the stream cap alone. The
        //   pods' traffic crosses Calico's IP-in-IP tunnel (Calico v3.11's manifest, which main.tf applies, sets
        //   CALICO_IPV4POOL_IPIP: Always), whose outer header has no ports: all traffic between two hosts is one flow to
        //   EC2 and to the receiving NIC's queue hash, served by one CPU that also sends to the same peer (TCP sends from
        //   its ACK path) [inferred]. Value 0.78 GB/s (6.2 Gb/s, 1.29× the stream cap): fitted alone to the 5,542 rows of
        //   Scenarios/measurements/pollux-g4dn.csv, everything else at these defaults (`schedlab fit
        //   --parameters node_pair_cap@pollux-g4dn`: 0.783 ± 0.007 GB/s) [fitted].
        // The NIC itself: 50 Gb/s × 0.97 = 6.06 GB/s, shared by every connection of the node's jobs.
        // 25 µs per TCP ring step [assumption].
        NodeTemplate(
            name: "pollux-g4dn", summary: "Pollux testbed: 4x T4 on PCIe Gen3, 50 Gb/s ENA, NCCL flat ring over one 5 Gb/s TCP stream",
            gpuType: GPUCatalog.named("t4")!, gpuCount: 4, intraNodeClass: .pcie,
            intraNode: LinkParameters(bandwidthBytesPerSecond: 8 * gb, latencySeconds: 5e-6),
            nicCount: 1, nic: LinkParameters(bandwidthBytesPerSecond: 50 / 8 * 0.97 * gb, latencySeconds: 25e-6),
            source: "Pollux OSDI'21 testbed (petuum/adaptdl benchmark/main.tf: g4dn.12xlarge); EC2 per-flow bandwidth limit; NCCL socket transport defaults; PCIe Gen3 arithmetic [derived]",
            tcpStreamBytesPerSecond: 5 / 8 * 0.97 * gb, socketsPerConnection: 1, flatRing: true,
            nodePairBytesPerSecond: 0.78 * gb),
    ]

    /// The template called `name`, or nil.
    public static func named(_ name: String) -> NodeTemplate? { all.first { $0.name == name } }

    /// All template names, for error messages.
    public static var names: [String] { all.map(\.name) }
}

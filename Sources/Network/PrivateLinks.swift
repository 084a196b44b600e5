import ClusterModel

// MARK: - Links private to one GPU

extension LinkGraph {
    /// For each link, by `LinkID`, the one GPU at which every route that can cross it starts or ends; −1 where routes
    /// of two or more GPUs can (or none can).
    ///
    /// Read off `path(fromGPU:toGPU:)`, the only routing there is: a route is [a's up, b's down] inside a node, else
    /// [a's NIC up, (a's rack up, b's rack down,) b's NIC down]. No GPU is ever a transit vertex, and every link
    /// belongs to one endpoint side:
    /// - GPU g's up link carries only routes from g, its down link only routes to g: always private to g;
    /// - NIC k's up link carries only routes from the GPUs whose NIC is k (`gpuNIC`) to other nodes, its down link
    ///   only routes to them: private when exactly one GPU uses NIC k (a DGX's 8 NICs for 8 GPUs), shared where
    ///   several do (a PCIe server's one NIC);
    /// - rack r's up and down links carry routes from and to the rack's GPUs: private only in a rack of one GPU.
    ///
    /// The same holds for every node template, PCIe ones included: the graph gives each GPU its own up and down link
    /// to its node's switch whatever the switch is (NVSwitch or PCIe; see the type's notes), so what differs between
    /// templates is only how many GPUs share a NIC. So a flow on a link private to g belongs to a collective over g: two
    /// jobs' flows can meet on such a link only if both hold g (GPU sharing). `FabricFlows` relies on this.
    /// - Complexity: O(GPUs + links).
    public func privateLinkGPUs() -> [Int32] {
        var owner = [Int32](repeating: -1, count: linkCount)
        // GPUs per NIC and per rack, and the last one seen (the only one where the count is 1).
        var nicUsers = [Int](repeating: 0, count: nicCount)
        var nicLast = [Int32](repeating: -1, count: nicCount)
        var rackUsers = [Int](repeating: 0, count: topology.rackCount)
        var rackLast = [Int32](repeating: -1, count: topology.rackCount)
        for g in 0..<topology.gpuCount {
            owner[gpuUpLink[g].index] = Int32(g)
            owner[gpuDownLink[g].index] = Int32(g)
            let k = Int(gpuNIC[g])
            nicUsers[k] += 1
            nicLast[k] = Int32(g)
            let r = topology.nodeRack[topology.gpuNode[g].index].index
            rackUsers[r] += 1
            rackLast[r] = Int32(g)
        }
        for k in 0..<nicCount where nicUsers[k] == 1 {
            owner[nicUpLink[k].index] = nicLast[k]
            owner[nicDownLink[k].index] = nicLast[k]
        }
        for r in 0..<topology.rackCount where rackUsers[r] == 1 {
            owner[rackUpLink[r].index] = rackLast[r]
            owner[rackDownLink[r].index] = rackLast[r]
        }
        return owner
    }
}

import ClusterModel
import Models
import Network

/// A measurement row's modeled iteration: the uncontended single-job path of `schedlab steptime`.
public enum MeasurementPrediction {
    /// The iteration breakdown of `row` under `fabric`: the row's template (GPU type fitted) repeated once per
    /// placement entry under one ToR, the job alone on the flow-level interconnect with the zoo model's overlap γ
    /// (or `StepTimeModel.defaultGamma`), at the row's local batch. Rows must come from `MeasurementCSV` (known names).
    public static func breakdown(of row: MeasurementRow, fabric: FabricSpec = FabricSpec()) -> StepBreakdown {
        let model = ModelZoo.named(row.model)!
        let template = row.template!
        let topology = Topology(racks: [(name: "rack0", nodes: Array(repeating: template, count: row.placement.count))])
        var gpus: [GPUID] = []
        for (node, k) in row.placement.enumerated() { gpus += topology.gpus(of: NodeID(node)).prefix(k).map(GPUID.init) }
        let graph = LinkGraph(topology: topology, spec: fabric)
        return StepTimeModel.uncontended(
            model: model, gpus: gpus, graph: graph, localBatch: row.localBatch,
            gamma: model.overlapGamma ?? StepTimeModel.defaultGamma)
    }

    /// The modeled seconds per iteration of `row` under `fabric`.
    public static func stepSeconds(of row: MeasurementRow, fabric: FabricSpec = FabricSpec()) -> Double {
        breakdown(of: row, fabric: fabric).total
    }

    /// predicted / measured − 1 for `row` under `fabric`.
    public static func relativeError(of row: MeasurementRow, fabric: FabricSpec = FabricSpec()) -> Double {
        stepSeconds(of: row, fabric: fabric) / row.stepSeconds - 1
    }
}

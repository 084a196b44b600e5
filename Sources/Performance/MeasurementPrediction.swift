import ClusterModel
import Models
import Network
import Workload

/// The default model's prediction for one `StepMeasurement` row, and its error.
///
/// The prediction is the uncontended single-job path of `schedlab steptime`: the row's nodes built from its template
/// (with its GPU type fitted), all under one ToR, the job alone on them with the flow-level interconnect under the
/// given `FabricSpec`, the GPUs of each node taken in order, compute at the row's local batch and the given overlap
/// (default Pollux's, with the model's γ). `schedlab fidelity` prints it for every row; `schedlab fit` varies the `FabricSpec`.
public struct MeasurementPrediction: Sendable, Equatable {
    /// The row predicted.
    public var row: StepMeasurement
    /// The modeled iteration: compute, each all-reduce phase, overlap.
    public var breakdown: StepBreakdown

    /// Predicted seconds per iteration.
    public var stepSeconds: Double { breakdown.total }
    /// Predicted exposed communication seconds (iteration − compute), comparable to the row's `sync_s`.
    public var syncSeconds: Double { breakdown.exposedCommunication }
    /// (predicted − measured) / measured step time.
    public var relativeError: Double { (stepSeconds - row.stepSeconds) / row.stepSeconds }

    /// Creates a prediction from its parts.
    public init(row: StepMeasurement, breakdown: StepBreakdown) {
        self.row = row
        self.breakdown = breakdown
    }

    /// Predicts `row` under `fabric` (default: the templates as the catalog gives them).
    ///
    /// - Parameters:
    ///   - row: the measured configuration (model, node template, GPU type, placement, local batch).
    ///   - fabric: link parameters and per-template overrides (what `schedlab fit` varies).
    ///   - collectives: collective algorithm tunables.
    ///   - gamma: overlap exponent for models without their own γ (with `overlap` `.exponent`).
    ///   - overlap: how compute and communication combine (`OverlapKind`).
    /// - Throws: `InputError` located at the row when its model, template or GPU type is unknown or the placement
    ///   does not fit the template (rows read by `MeasurementFile.parse` are already checked).
    public static func predict(
        _ row: StepMeasurement, fabric: FabricSpec = FabricSpec(), collectives: CollectiveOptions = CollectiveOptions(),
        gamma: Double = StepTimeModel.defaultGamma, overlap: OverlapKind = .exponent
    ) throws(InputError) -> MeasurementPrediction {
        func fail(_ column: String, _ message: String) -> InputError {
            InputError(file: row.file, line: row.line == 0 ? nil : row.line, field: column, message: message)
        }
        guard let model = ModelZoo.named(row.model) else { throw fail("model", "unknown zoo model '\(row.model)'") }
        guard var template = NodeTemplateCatalog.named(row.nodeTemplate) else {
            throw fail("node_template", "unknown node template '\(row.nodeTemplate)'")
        }
        if let name = row.gpuType {
            guard let type = GPUCatalog.named(name) else { throw fail("gpu_type", "unknown GPU type '\(name)'") }
            template = template.with(gpuType: type)
        }
        guard !row.placement.isEmpty, row.placement.allSatisfy({ $0 >= 1 && $0 <= template.gpuCount }) else {
            throw fail("placement", "expected 1...\(template.gpuCount) GPUs per node, got \(row.placementText)")
        }
        let topology = Topology(racks: [(name: "rack0", nodes: Array(repeating: template, count: row.placement.count))])
        var gpus: [GPUID] = []
        for (node, k) in row.placement.enumerated() { gpus += topology.gpus(of: NodeID(node)).prefix(k).map(GPUID.init) }
        let graph = LinkGraph(topology: topology, spec: fabric)
        let plan = AllReducePlan(gpus: gpus, bytes: model.gradientBytes, graph: graph, options: collectives)
        let compute = computeSeconds(model: model, gpu: template.gpuType, localBatch: row.localBatch)
        let breakdown = StepTimeModel.breakdown(
            compute: compute, collective: plan.uncontendedTime(on: graph), graph: graph,
            overlap: OverlapModel(model: model, kind: overlap, gamma: gamma))
        return MeasurementPrediction(row: row, breakdown: breakdown)
    }

    /// Compute seconds of one iteration of `model` on `gpu` at `localBatch` samples (nil: the reference batch).
    ///
    /// The same factor the simulator charges a job that shards a global batch (`BatchSharding.computeScale`): the
    /// plain ratio local / reference for zoo models without a batch-independent share or efficiency profile, else
    /// `StatisticalEfficiency.computeFactor` (intercept, and gradient accumulation above the local-batch bound).
    public static func computeSeconds(model: ZooModel, gpu: GPUType, localBatch: Int?) -> Double {
        let base = model.computeSeconds(on: gpu)
        guard let local = localBatch.map(Double.init) else { return base }
        guard model.computeInterceptSeconds != 0 || model.efficiency != nil else {
            return base * local / Double(model.referenceBatchPerGPU)
        }
        return base * StatisticalEfficiency.computeFactor(local: local, model: model, maxLocal: model.efficiency?.localBatch.upperBound)
    }
}

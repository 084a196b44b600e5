import ArgumentParser
import ClusterModel
import Foundation
import Models
import Network
import Performance
import Workload

/// `schedlab steptime`: the modeled iteration time of one job on one placement, with its breakdown.
struct StepTimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steptime",
        abstract: "Print the modeled iteration time of a zoo model on a placement: compute, each all-reduce phase, bottleneck.",
        discussion: """
            The placement lists GPUs per node: '4' is four GPUs in one node, '2,2' two nodes with two each, \
            '1,1,1,1' four nodes with one each (the separator may also be '|'). Nodes are built from --node-template \
            (with --gpu-type fitted), all under one ToR. The job is alone on the fabric: this is the uncontended \
            time of the flow-level interconnect model, with Pollux's overlap (T_c^γ + T_n^γ)^(1/γ).
            """
    )

    @Option(help: "Zoo model (see 'schedlab info models').")
    var model: String

    @Option(help: "GPU type fitted in the nodes (default: the template's).")
    var gpuType: String?

    @Option(help: "Node template (see 'schedlab info templates').")
    var nodeTemplate: String = "dgx-a100"

    @Option(help: "GPUs per node, e.g. 4, 2,2 or 1,1,1,1.")
    var placement: String

    @Option(help: "Overlap exponent γ (1 = no overlap; default: the zoo model's, else \(StepTimeModel.defaultGamma)).")
    var gamma: Double?

    @Option(help: "How compute and communication combine: exponent (Pollux's γ, the default) or ddp-buckets.")
    var overlap: OverlapKind = .exponent

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        guard let zoo = ModelZoo.named(model) else {
            printError("error: --model: unknown model '\(model)'; expected one of: \(ModelZoo.names.joined(separator: ", "))")
            throw CLIExit.badInput
        }
        guard var template = NodeTemplateCatalog.named(nodeTemplate) else {
            printError("error: --node-template: unknown template '\(nodeTemplate)'; expected one of: \(NodeTemplateCatalog.names.joined(separator: ", "))")
            throw CLIExit.badInput
        }
        if let gpuType {
            guard let type = GPUCatalog.named(gpuType) else {
                printError("error: --gpu-type: unknown GPU type '\(gpuType)'; expected one of: \(GPUCatalog.names.joined(separator: ", "))")
                throw CLIExit.badInput
            }
            template = template.with(gpuType: type)
        }
        let parts = placement.split(whereSeparator: { $0 == "," || $0 == "|" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            printError("error: --placement: expected GPUs per node as positive integers separated by ',' or '|', got '\(placement)'")
            throw CLIExit.badInput
        }
        let counts = parts.map { $0! }
        if let k = counts.first(where: { $0 > template.gpuCount }) {
            printError("error: --placement: \(k) GPUs on one node, but \(template.name) nodes have \(template.gpuCount)")
            throw CLIExit.badInput
        }
        let gamma = self.gamma ?? zoo.overlapGamma ?? StepTimeModel.defaultGamma
        guard gamma >= 1 else {
            printError("error: --gamma: expected an overlap exponent >= 1, got \(gamma)")
            throw CLIExit.badInput
        }
        let topology = Topology(racks: [(name: "rack0", nodes: Array(repeating: template, count: counts.count))])
        var gpus: [GPUID] = []
        for (node, k) in counts.enumerated() { gpus += topology.gpus(of: NodeID(node)).prefix(k).map(GPUID.init) }
        let graph = LinkGraph(topology: topology)
        if overlap != .exponent && self.gamma != nil {
            printError("error: --gamma: an overlap exponent applies only with --overlap exponent, got --overlap \(overlap.rawValue)")
            throw CLIExit.badInput
        }
        let plan = AllReducePlan(gpus: gpus, bytes: zoo.gradientBytes, graph: graph)
        let compute = StepTimeModel.computeSeconds(model: zoo, gpus: gpus, topology: topology)
        let combined = overlap == .exponent ? OverlapModel.exponent(gamma) : OverlapModel(model: zoo, kind: overlap, gamma: gamma)
        let step = StepTimeModel.breakdown(compute: compute, collective: plan.uncontendedTime(on: graph), graph: graph, overlap: combined)
        let buckets: Int? = if case .buckets(let b) = combined { b.shares.count } else { nil }
        let report = Report(
            model: zoo.name, gpuType: template.gpuType.name, nodeTemplate: template.name, placement: counts,
            algorithm: plan.algorithm.rawValue, gradientBytes: zoo.gradientBytes, computeSeconds: step.compute,
            phases: step.phases.map {
                Report.Phase(kind: $0.kind.rawValue, latencySeconds: $0.latency, transferSeconds: $0.transfer,
                             rateBytesPerSecond: $0.rate, bottleneck: $0.bottleneck.map(graph.name(of:)))
            },
            communicationSeconds: step.communication, gamma: step.gamma, buckets: buckets, iterationSeconds: step.total,
            communicationFraction: step.communicationFraction, bottleneck: step.bottleneck.map(graph.name(of:)))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    /// What `steptime` prints.
    struct Report: Codable {
        struct Phase: Codable {
            var kind: String
            var latencySeconds: Double
            var transferSeconds: Double
            var rateBytesPerSecond: Double
            var bottleneck: String?
        }
        var model: String
        var gpuType: String
        var nodeTemplate: String
        var placement: [Int]
        var algorithm: String
        var gradientBytes: Double
        var computeSeconds: Double
        var phases: [Phase]
        var communicationSeconds: Double
        /// The overlap exponent, or nil with DDP's bucket queue (then `buckets` is its bucket count).
        var gamma: Double?
        var buckets: Int?
        var iterationSeconds: Double
        var communicationFraction: Double
        var bottleneck: String?

        var text: String {
            func ms(_ s: Double) -> String { String(format: "%.3f ms", s * 1000) }
            var lines = [
                "model        \(model) (\(String(format: "%.1f", gradientBytes / 1e6)) MB of gradients)",
                "placement    \(placement.map(String.init).joined(separator: ",")) on \(nodeTemplate) nodes with \(gpuType) GPUs",
                "all-reduce   \(algorithm)",
                "compute      \(ms(computeSeconds))",
            ]
            for p in phases {
                lines.append("  \(p.kind.padding(toLength: 20, withPad: " ", startingAt: 0)) \(ms(p.latencySeconds + p.transferSeconds))"
                    + "  (latency \(ms(p.latencySeconds)), transfer \(ms(p.transferSeconds)) at "
                    + String(format: "%.2f GB/s", p.rateBytesPerSecond / 1e9) + (p.bottleneck.map { ", bottleneck \($0)" } ?? "") + ")")
            }
            lines.append("communication \(ms(communicationSeconds))")
            let overlap = gamma.map { "γ = \($0)" } ?? "DDP's queue of \(buckets ?? 0) gradient buckets"
            lines.append("iteration    \(ms(iterationSeconds))  (\(overlap); exposed communication \(String(format: "%.1f%%", communicationFraction * 100)))")
            if let bottleneck { lines.append("bottleneck   \(bottleneck)") }
            return lines.joined(separator: "\n")
        }
    }
}

import ArgumentParser
import ClusterModel
import Engine
import Models
import Performance
import Scenario
import Scheduling
import Workload

/// `schedlab info`: list the built-in catalogs.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "List GPU types, zoo models, policies, placements, node templates, summary metrics, GPU-sharing factors or valid input ranges.")

    enum Topic: String, ExpressibleByArgument, CaseIterable {
        case gpus, models, policies, placements, templates, metrics, sharing, ranges
    }

    @Argument(help: "One of: \(Topic.allCases.map(\.rawValue).joined(separator: ", ")).")
    var topic: Topic

    func run() throws {
        if topic == .ranges {
            // Markdown, exactly the README's "Valid ranges" tables (a test compares them).
            print(ValidRangeTable.markdown)
            return
        }
        var table: TextTable
        switch topic {
        case .gpus:
            table = TextTable(header: ["name", "fp16 TFLOP/s", "memory GB", "mem BW GB/s", "host link GB/s", "source"],
                              rightAligned: [1, 2, 3, 4])
            for g in GPUCatalog.all {
                table.rows.append([g.name, num(g.fp16TFLOPS), num(g.memoryGB), num(g.memoryBandwidthGBps), num(g.hostLinkGBps), g.source])
            }
        case .models:
            table = TextTable(header: ["name", "batch/GPU", "grad MB", "memory GB", "compute s/iter (measured)", "source"],
                              rightAligned: [1, 2, 3])
            for m in ModelZoo.all {
                let measured = m.measuredComputeSeconds.map { "\($0.gpu) \(num($0.seconds))" }.joined(separator: ", ")
                table.rows.append([m.name, "\(m.referenceBatchPerGPU)", num(m.gradientBytes / 1e6), num(m.memoryGB), measured, m.source])
            }
        case .policies:
            table = TextTable(header: ["name", "description", "parameters (default)"])
            for p in PolicyCatalog.all + [PolicyCatalog.external] {
                table.rows.append([p.name, p.summary, p.parameters.isEmpty ? "-" : p.parameters.joined(separator: "; ")])
            }
        case .placements:
            table = TextTable(header: ["name", "description"])
            for p in PlacementCatalog.all { table.rows.append([p.name, p.summary]) }
        case .templates:
            table = TextTable(header: ["name", "GPUs", "intra-node", "GB/s", "NICs", "GB/s each", "description"],
                              rightAligned: [1, 3, 4, 5])
            for t in NodeTemplateCatalog.all {
                table.rows.append([t.name, "\(t.gpuCount)x \(t.gpuType.name)", t.intraNodeClass.rawValue,
                                   num(t.intraNode.bandwidthBytesPerSecond / 1e9), "\(t.nicCount)",
                                   num(t.nic.bandwidthBytesPerSecond / 1e9), t.summary])
            }
        case .metrics:
            table = TextTable(header: ["name", "unit", "meaning"])
            for d in SummaryMetricKind.definitions { table.rows.append([d.name, d.unit.symbol, d.meaning]) }
        case .ranges: return
        case .sharing:
            let model = GPUSharingModel()
            table = TextTable(header: ["model", "packed with", "speed factor", "source"], rightAligned: [2])
            for p in GPUSharingModel.measured {
                table.rows.append([p.model, p.with, String(format: "%.3f", p.factor),
                                   "Gavel scheduler/simulation_throughputs.json (V100)"])
            }
            table.rows.append(["any other pair", "", String(format: "%.3f", model.defaultFactor), "default_factor"])
            table.rows.append(["time-sliced, k jobs", "", "(1 - \(num(model.switchOverheadSeconds))/\(num(model.timeSliceSeconds))) / k",
                               "Gandiva's 60 s slice; switch overhead assumed"])
        }
        print(table.render())
    }

    private func num(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(format: "%.4g", x)
    }
}

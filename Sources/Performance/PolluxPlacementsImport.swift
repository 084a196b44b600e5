import ClusterModel
import Foundation
import Workload

/// Converts the Pollux artifact's step-time profiles into `StepMeasurement` rows.
///
/// Two files per application, both from `simulator/traces/<app>/` of petuum/adaptdl (branch osdi21-artifact):
/// - `placements.csv`, columns `placement,local_bsz,step_time,sync_time`, up to 4 nodes × 4 GPUs: `placement` is a digit
///   string of GPUs per node ("22" = two nodes with two GPUs each). Every row is kept (`convert`).
/// - `scalability.csv`, columns `num_nodes,num_replicas,local_bsz,step_time,sync_time`, 6–16 nodes and 6–64 GPUs, which
///   the artifact's simulator uses to extrapolate beyond 4 nodes (`simulator/applications.py`). The file gives only the
///   counts, not how the replicas sat on the nodes: a row whose replicas divide evenly over its nodes is read as that
///   many GPUs on every node (16 nodes, 32 replicas → 2 on each) [assumption: the even split is the only layout the
///   counts determine]; the other rows (6 nodes with 7 replicas, ...) are skipped, and `convertScalability` says how many
///   (`convertScalability`).
///
/// `step_time` and `sync_time` are adaptdl's profile averages (adaptdl/adaptdl/torch/_metrics.py, `profile_step_commit`):
/// `step_time` is the wall time of one optimizer step, from the batch's start to the step's commit; `sync_time` is
/// accumulated by `AdaptiveDataParallel._final_callback` (adaptdl/adaptdl/torch/parallel.py) as the time from the last
/// gradient the backward pass produced to the end of gradient synchronization, i.e. the communication not hidden behind
/// backward computation. Both are seconds per step, as the Measurement CSV's `step_s` and `sync_s`.
public enum PolluxPlacementsImport {
    /// The zoo model of each Pollux application directory name (`ModelZoo`'s Pollux entries).
    public static let zooModel: [(app: String, model: String)] = [
        ("bert", "bert-squad"), ("cifar10", "resnet18-cifar10"), ("deepspeech2", "deepspeech2"),
        ("imagenet", "resnet50-imagenet"), ("ncf", "neumf"), ("yolov3", "yolov3"),
    ]

    /// The zoo model for application directory `app`, or nil.
    public static func model(forApp app: String) -> String? { zooModel.first { $0.app == app }?.model }

    /// The rows of one placements.csv (`text`, read from `file`) as measurements of `model` on `nodeTemplate`, citing
    /// `source`; the first bad row fails with its line and column.
    public static func convert(
        _ text: String, file: String, model: String, nodeTemplate: String, source: String
    ) throws(InputError) -> [StepMeasurement] {
        var out: [StepMeasurement] = []
        try forEachRow(of: text, file: file, header: ["placement", "local_bsz", "step_time", "sync_time"]) { (fields, number) throws(InputError) in
            let digits = fields[0].compactMap { $0.wholeNumberValue }
            guard !digits.isEmpty, digits.count == fields[0].count, digits.allSatisfy({ $0 >= 1 }) else {
                throw InputError(file: file, line: number, field: "placement", message: "expected digits 1-9 (GPUs per node), got '\(fields[0])'")
            }
            let (local, step, sync) = try times(fields[1...], file: file, line: number, firstColumn: "local_bsz")
            out.append(StepMeasurement(
                model: model, nodeTemplate: nodeTemplate, placement: digits, localBatch: local, stepSeconds: step,
                syncSeconds: sync, source: source))
        }
        return out
    }

    /// The rows of one scalability.csv (`text`, read from `file`) whose replicas divide evenly over their nodes, as
    /// measurements of `model` on `nodeTemplate`, citing `source`, and the number of rows skipped for an uneven split;
    /// the first bad row fails with its line and column.
    public static func convertScalability(
        _ text: String, file: String, model: String, nodeTemplate: String, source: String
    ) throws(InputError) -> (rows: [StepMeasurement], skipped: Int) {
        var out: [StepMeasurement] = []
        var skipped = 0
        let header = ["num_nodes", "num_replicas", "local_bsz", "step_time", "sync_time"]
        try forEachRow(of: text, file: file, header: header) { (fields, number) throws(InputError) in
            // Bounded so that the placement list stays small: the artifact's files go up to 16 nodes and 64 replicas.
            guard let nodes = Int(fields[0]), (1...1024).contains(nodes) else {
                throw InputError(file: file, line: number, field: "num_nodes", message: "expected an integer in 1...1024, got '\(fields[0])'")
            }
            guard let replicas = Int(fields[1]), (nodes...nodes * 64).contains(replicas) else {
                throw InputError(file: file, line: number, field: "num_replicas",
                    message: "expected an integer from num_nodes (\(nodes)) to 64 per node (\(nodes * 64)), got '\(fields[1])'")
            }
            let (local, step, sync) = try times(fields[2...], file: file, line: number, firstColumn: "local_bsz")
            guard replicas % nodes == 0 else { skipped += 1; return }
            if let template = NodeTemplateCatalog.named(nodeTemplate), replicas / nodes > template.gpuCount {
                throw InputError(file: file, line: number, field: "num_replicas",
                    message: "expected at most \(template.gpuCount) GPUs per \(nodeTemplate) node, got \(replicas) replicas on \(nodes) nodes")
            }
            out.append(StepMeasurement(
                model: model, nodeTemplate: nodeTemplate, placement: Array(repeating: replicas / nodes, count: nodes),
                localBatch: local, stepSeconds: step, syncSeconds: sync, source: source))
        }
        return (out, skipped)
    }

    /// Local batch, step seconds and sync seconds (capped at the step) from the last three columns of a row.
    private static func times(
        _ fields: ArraySlice<String>, file: String, line: Int, firstColumn: String
    ) throws(InputError) -> (Int, Double, Double) {
        let f = Array(fields)
        guard let local = Int(f[0]), local >= 1 else {
            throw InputError(file: file, line: line, field: firstColumn, message: "expected a positive integer, got '\(f[0])'")
        }
        guard let step = Double(f[1]), step.isFinite, step > 0 else {
            throw InputError(file: file, line: line, field: "step_time", message: "expected positive seconds, got '\(f[1])'")
        }
        guard let sync = Double(f[2]), sync.isFinite, sync >= 0 else {
            throw InputError(file: file, line: line, field: "sync_time", message: "expected non-negative seconds, got '\(f[2])'")
        }
        return (local, step, min(sync, step))
    }

    /// Calls `body` with the trimmed fields and 1-based line number of every non-blank data row of a CSV whose header
    /// must be exactly `header`.
    private static func forEachRow(
        of text: String, file: String, header expected: [String],
        _ body: ([String], Int) throws(InputError) -> Void
    ) throws(InputError) {
        var sawHeader = false
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard sawHeader else {
                guard fields == expected else {
                    throw InputError(file: file, line: number, field: "header",
                        message: "expected \(expected.joined(separator: ",")), got \(fields.joined(separator: ","))")
                }
                sawHeader = true
                continue
            }
            guard fields.count == expected.count else {
                throw InputError(file: file, line: number, message: "expected \(expected.count) fields, got \(fields.count)")
            }
            try body(fields, number)
        }
        guard sawHeader else {
            throw InputError(file: file, field: "header", message: "expected a header \(expected.joined(separator: ",")), got an empty file")
        }
    }
}

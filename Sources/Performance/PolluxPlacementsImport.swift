import Foundation
import Workload

/// Converts the Pollux artifact's placement profiles into `StepMeasurement` rows.
///
/// The input is `simulator/traces/<app>/placements.csv` of petuum/adaptdl (branch osdi21-artifact), columns
/// `placement,local_bsz,step_time,sync_time`. `placement` is a digit string of GPUs per node ("22" = two nodes with
/// two GPUs each). `step_time` and `sync_time` are adaptdl's profile averages (adaptdl/adaptdl/torch/_metrics.py,
/// `profile_step_commit`): `step_time` is the wall time of one optimizer step, from the batch's start to the step's
/// commit; `sync_time` is accumulated by `AdaptiveDataParallel._final_callback` (adaptdl/adaptdl/torch/parallel.py) as
/// the time from the last gradient the backward pass produced to the end of gradient synchronization, i.e. the
/// communication not hidden behind backward computation. Both are seconds per step, as the Measurement CSV's
/// `step_s` and `sync_s`.
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
        var header: [String]?
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            number += 1
            let line = raw.last == "\r" ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let columns = header else {
                let expected = ["placement", "local_bsz", "step_time", "sync_time"]
                guard fields == expected else {
                    throw InputError(file: file, line: number, field: "header",
                        message: "expected \(expected.joined(separator: ",")), got \(fields.joined(separator: ","))")
                }
                header = fields
                continue
            }
            guard fields.count == columns.count else {
                throw InputError(file: file, line: number, message: "expected \(columns.count) fields, got \(fields.count)")
            }
            let digits = fields[0].compactMap { $0.wholeNumberValue }
            guard !digits.isEmpty, digits.count == fields[0].count, digits.allSatisfy({ $0 >= 1 }) else {
                throw InputError(file: file, line: number, field: "placement", message: "expected digits 1-9 (GPUs per node), got '\(fields[0])'")
            }
            guard let local = Int(fields[1]), local >= 1 else {
                throw InputError(file: file, line: number, field: "local_bsz", message: "expected a positive integer, got '\(fields[1])'")
            }
            guard let step = Double(fields[2]), step.isFinite, step > 0 else {
                throw InputError(file: file, line: number, field: "step_time", message: "expected positive seconds, got '\(fields[2])'")
            }
            guard let sync = Double(fields[3]), sync.isFinite, sync >= 0 else {
                throw InputError(file: file, line: number, field: "sync_time", message: "expected non-negative seconds, got '\(fields[3])'")
            }
            out.append(StepMeasurement(
                model: model, nodeTemplate: nodeTemplate, placement: digits, localBatch: local, stepSeconds: step,
                syncSeconds: min(sync, step), source: source))
        }
        guard header != nil else {
            throw InputError(file: file, field: "header", message: "expected a header placement,local_bsz,step_time,sync_time, got an empty file")
        }
        return out
    }
}

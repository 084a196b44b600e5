import ClusterModel
import Foundation

extension ValidationRecords {
    /// Median and largest |relative error| over the validations: of the iteration time, and of the sharing slowdown.
    public struct Summary: Sendable, Equatable {
        /// Validation records summarized.
        public var count: Int
        /// Median |(predicted − measured) / measured| of the iteration time.
        public var iterationMedianAbsError: Double
        /// Largest |error| of the iteration time.
        public var iterationMaxAbsError: Double
        /// Median |(model − measured) / measured| of the two-job sharing slowdown.
        public var sharingMedianAbsError: Double
        /// Largest |error| of the sharing slowdown.
        public var sharingMaxAbsError: Double
    }

    /// The summary of every validation; nil when there is none.
    public var summary: Summary? {
        guard !validations.isEmpty else { return nil }
        let iteration = validations.map { abs($0.report.iteration.relativeError) }
        let sharing = validations.map { abs($0.report.timeSharing.relativeError) }
        return Summary(
            count: validations.count,
            iterationMedianAbsError: Statistics.median(iteration)!, iterationMaxAbsError: iteration.max()!,
            sharingMedianAbsError: Statistics.median(sharing)!, sharingMaxAbsError: sharing.max()!)
    }

    /// The calibrations, validations and packing measurements as Markdown tables, with a line saying where they came
    /// from; `directory` names the records' place in the text. `packedFactor` gives the simulator's co-location factor
    /// for a model packed with another (nil: none), set beside each measured one. With no record, a line saying the
    /// measurements are pending.
    public func markdown(directory: String, packedFactor: (_ model: String, _ with: String) -> Double? = { _, _ in nil }) -> String {
        guard !isEmpty else {
            return "*Pending*: no `schedlab hw calibrate` / `hw validate` records in `\(directory)` yet (they need a GPU machine; "
                + "`.ci/hw-bundle` and `.ci/hw-validate` prepare and run them)."
        }
        var out: [String] = []
        if !profiles.isEmpty {
            out.append("Calibrations (`schedlab hw calibrate`, files in `\(directory)`): the best measured rate of each kind against the catalog figure the simulator uses for that GPU.")
            out.append("")
            out.append("| profile | GPU | bf16 / fp16 / fp32 GEMM, TFLOP/s | bf16 of catalog peak | device memory, GB/s | of catalog | host→device / device→host, GB/s | of catalog host link |")
            out.append("|---|---|---|---:|---:|---:|---|---:|")
            for p in profiles { out.append(Self.row(p)) }
        }
        if !validations.isEmpty {
            if !out.isEmpty { out.append("") }
            out.append("Validations (`schedlab hw validate`): the model's synthetic step (GEMMs sized from its FLOPs) measured and predicted from the calibration; two copies time-sharing one GPU against the sharing model's slowdown.")
            out.append("")
            out.append("| record | model | step | measured s | predicted s | error | 2 jobs sharing: slowdown | model | error |")
            out.append("|---|---|---|---:|---:|---:|---:|---:|---:|")
            for v in validations { out.append(Self.row(v)) }
            if let s = summary {
                out.append("")
                out.append(String(format: "%d validations: iteration median |error| %.1f%% (max %.1f%%); sharing slowdown median |error| %.1f%% (max %.1f%%).",
                                  s.count, s.iterationMedianAbsError * 100, s.iterationMaxAbsError * 100,
                                  s.sharingMedianAbsError * 100, s.sharingMaxAbsError * 100))
            }
        }
        if !packings.isEmpty {
            if !out.isEmpty { out.append("") }
            out.append(packingMarkdown(packedFactor: packedFactor))
        }
        return out.joined(separator: "\n")
    }

    /// The packing table: each model's speed packed with another over its speed alone, beside the simulator's factor.
    func packingMarkdown(packedFactor: (String, String) -> Double?) -> String {
        var out = [
            "Packing (`.ci/hw-packing.py`): a model's training steps per second with another model training in a second process on the same GPU, over its steps per second alone, beside the simulator's co-location factor for the pair (`GPUSharingModel`).",
            "",
            "| record | precision | model | with | alone, steps/s | packed, steps/s | factor | simulator's factor | its error |",
            "|---|---|---|---|---:|---:|---:|---:|---:|",
        ]
        var errors: [Double] = []
        for p in packings {
            let alone = Dictionary(p.record.solo.map { ($0.model, $0.stepsPerSecond) }, uniquingKeysWith: { a, _ in a })
            for pair in p.record.pairs {
                let reference = packedFactor(pair.model, pair.with)
                let error = reference.map { ($0 - pair.factor) / pair.factor }
                if let error { errors.append(abs(error)) }
                out.append("| \(p.file) | \(p.record.precision) | \(pair.model) | \(pair.with) | "
                    + "\(String(format: "%.2f", alone[pair.model] ?? .nan)) | \(String(format: "%.2f", pair.stepsPerSecond)) | "
                    + "\(String(format: "%.3f", pair.factor)) | \(reference.map { String(format: "%.3f", $0) } ?? "–") | "
                    + "\(error.map { String(format: "%+.1f%%", $0 * 100) } ?? "–") |")
            }
        }
        if let median = Statistics.median(errors), let worst = errors.max() {
            out.append("")
            out.append(String(format: "%d packed measurements with a simulator factor: its median |error| %.1f%% (max %.1f%%).",
                              errors.count, median * 100, worst * 100))
        }
        return out.joined(separator: "\n")
    }

    static func row(_ p: Profile) -> String {
        let profile = p.profile
        let catalog = profile.catalogMatch.flatMap(GPUCatalog.named)
        func best(_ precision: Precision) -> Double? { profile.gemm.filter { $0.precision == precision }.map(\.tflops).max() }
        func rate(_ x: Double?) -> String { x.map { String(format: "%.1f", $0) } ?? "–" }
        func share(_ x: Double?, _ of: Double?) -> String {
            guard let x, let of, of > 0 else { return "–" }
            return String(format: "%.3f", x / of)
        }
        let memory = profile.deviceMemory.map(\.gbps).max()
        let h2d = profile.hostToDevice.map(\.gbps).max(), d2h = profile.deviceToHost.map(\.gbps).max()
        let gpu = profile.gpuName + (profile.catalogMatch.map { " (catalog `\($0)`)" } ?? " (no catalog match)")
        let gemm = "\(rate(best(.bf16))) / \(rate(best(.fp16))) / \(rate(best(.fp32)))"
        return "| \(p.file) | \(gpu) ×\(profile.deviceCount) | \(gemm) | \(share(best(.bf16), catalog?.fp16TFLOPS)) | "
            + "\(rate(memory)) | \(share(memory, catalog?.memoryBandwidthGBps)) | \(rate(h2d)) / \(rate(d2h)) | "
            + "\(share([h2d, d2h].compactMap { $0 }.max(), catalog?.hostLinkGBps)) |"
    }

    static func row(_ v: Validation) -> String {
        let r = v.report
        let step = "\(r.step.gemmCount) × \(r.step.precision.rawValue) GEMM n=\(r.step.gemmSize)" + (r.step.gpus > 1 ? " on \(r.step.gpus) GPUs + all-reduce" : "")
        return "| \(v.file) | \(r.step.model) | \(step) | \(String(format: "%.4g", r.iteration.measuredSeconds)) | "
            + "\(String(format: "%.4g", r.iteration.predictedSeconds)) | \(String(format: "%+.1f%%", r.iteration.relativeError * 100)) | "
            + "\(String(format: "%.3f×", r.timeSharing.measuredSlowdown)) | \(String(format: "%.1f×", r.timeSharing.modelSlowdown)) | "
            + "\(String(format: "%+.1f%%", r.timeSharing.relativeError * 100)) |"
    }
}

import ArgumentParser
import ClusterModel
import CUDABackend
import Foundation
import Models
import Workload

/// `schedlab hw`: measure a real GPU (CUDA loaded at run time) and validate the speed model against it.
struct HWCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Calibrate a real GPU and validate the speed model against it (CUDA loaded at run time).",
        discussion: """
            Needs an NVIDIA driver (libcuda.so.1), the CUDA runtime (libcudart) and cuBLAS (libcublas) on the library \
            path, and NCCL (libnccl.so.2) for all-reduce measurements on 2+ GPUs. Without a driver or device every \
            hw command exits 3. Measurement records go to Results/validation/ (see its README).
            """,
        subcommands: [Calibrate.self, Validate.self]
    )

    /// Where measurement records go by default.
    static let resultsDir = "Results/validation"

    /// `schedlab hw calibrate`: measure GEMM throughput, memory, host, peer and all-reduce bandwidths.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure cuBLAS GEMM throughput, memory/host/peer bandwidth and NCCL all-reduce; write a profile JSON.")

        @Option(name: .shortAndLong, help: "Profile JSON to write (default: Results/validation/profile-GPU-DATE.json).")
        var output: String?

        @Option(help: "Timed repetitions per point (the median is recorded).")
        var repetitions = 10

        @Flag(help: "Print each measured point as it is made.")
        var verbose = false

        @Flag(help: "Small sizes only: checks the tool end to end in seconds; not a calibration to rely on.")
        var quick = false

        func validate() throws {
            guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        }

        func run() throws {
            let backend = try HWCommand.openBackend()
            var plan = quick ? CalibrationPlan.quick : CalibrationPlan()
            plan.repetitions = repetitions
            let date = Date()
            let profile = try HWCommand.hardware {
                try Calibrator(backend: backend, plan: plan, log: { if verbose { print($0) } }).run(date: date)
            }
            let path = output ?? "\(HWCommand.resultsDir)/\(ResultFileName.make(kind: "profile", gpu: profile.gpuName, date: date))"
            try HWCommand.write(profile.jsonData(), to: path)
            HWCommand.printProfile(profile)
            print("profile    \(path)")
        }
    }

    /// `schedlab hw validate`: run a zoo model's synthetic step and compare it with the prediction.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a zoo model's synthetic training step on the GPU; print measured vs predicted time and write JSON.",
            discussion: "Without --profile a calibration runs first and its profile is written beside the results.")

        @Option(help: "Profile JSON from `schedlab hw calibrate` (default: calibrate now).")
        var profile: String?

        @Option(help: "Zoo model (\(SyntheticStep.flopsTable.map(\.model).joined(separator: ", "))).")
        var model = "resnet50"

        @Option(help: "GEMM precision: \(Precision.allCases.map(\.rawValue).joined(separator: ", ")).")
        var precision = "bf16"

        @Option(help: "Timed repetitions per measurement (medians are compared).")
        var repetitions = 10

        @Option(name: .shortAndLong, help: "Directory for the JSON results.")
        var outputDir = HWCommand.resultsDir

        @Flag(help: "Without --profile: calibrate with small sizes only (a quick end-to-end check, not a calibration to rely on).")
        var quick = false

        func validate() throws {
            guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        }

        func run() throws {
            // Bad input first (exit 2), then the device (exit 3).
            guard let zoo = ModelZoo.named(model), SyntheticStep.flopsPerIteration(model: model) != nil else {
                printError("error: --model: unknown model '\(model)'; expected one of: \(SyntheticStep.flopsTable.map(\.model).joined(separator: ", "))")
                throw CLIExit.badInput
            }
            guard let p = Precision(rawValue: precision) else {
                printError("error: --precision: unknown precision '\(precision)'; expected one of: \(Precision.allCases.map(\.rawValue).joined(separator: ", "))")
                throw CLIExit.badInput
            }
            var loaded: HardwareProfile?
            if let path = profile {
                guard FileManager.default.fileExists(atPath: path) else {
                    printError("error: \(path): no such file")
                    throw CLIExit.badInput
                }
                do { loaded = try HardwareProfile.read(from: URL(fileURLWithPath: path)) } catch {
                    printError("error: \(path): not a hardware profile: \(error)")
                    throw CLIExit.badInput
                }
            }
            let backend = try HWCommand.openBackend()
            let date = Date()
            let hwProfile: HardwareProfile
            if let loaded {
                hwProfile = loaded
            } else {
                var plan = quick ? CalibrationPlan.quick : CalibrationPlan()
                plan.repetitions = repetitions
                hwProfile = try HWCommand.hardware { try Calibrator(backend: backend, plan: plan).run(date: date) }
                let path = "\(outputDir)/\(ResultFileName.make(kind: "profile", gpu: hwProfile.gpuName, date: date))"
                try HWCommand.write(hwProfile.jsonData(), to: path)
                print("profile    \(path)")
            }
            let report = try HWCommand.hardware {
                try Validator(backend: backend, profile: hwProfile, repetitions: repetitions).run(model: zoo, precision: p, date: date)
            }
            let path = "\(outputDir)/\(ResultFileName.make(kind: "validate-\(zoo.name)", gpu: report.device.name, date: date))"
            try HWCommand.write(report.jsonData(), to: path)
            HWCommand.printReport(report)
            print("results    \(path)")
        }
    }

    // MARK: - Shared

    /// The CUDA backend, or exit 3 with the reason there is none.
    static func openBackend() throws -> CUDARuntimeBackend {
        do {
            return try CUDARuntimeBackend()
        } catch let e as HardwareError {
            if case .unavailable = e {
                printError("error: \(e)")
                throw CLIExit.noDevice
            }
            printError("error: \(e)")
            throw ExitCode.failure
        }
    }

    /// Runs a hardware measurement; a failed CUDA call exits 1 with its message.
    static func hardware<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as HardwareError {
            printError("error: \(e)")
            if case .unavailable = e { throw CLIExit.noDevice }
            throw ExitCode.failure
        }
    }

    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    static func printProfile(_ p: HardwareProfile) {
        print("gpu        \(p.gpuName) ×\(p.deviceCount) (catalog: \(p.catalogMatch ?? "no match")), driver \(p.driverVersion), "
              + "runtime \(p.runtimeVersion)\(p.ncclVersion.map { ", NCCL \($0)" } ?? "")")
        var table = TextTable(header: ["measurement", "size", "median s", "rate", "of catalog peak"], rightAligned: [1, 2, 3, 4])
        for g in p.gemm {
            table.rows.append(["gemm \(g.precision.rawValue)", "\(g.size)", String(format: "%.4g", g.seconds),
                               String(format: "%.1f TFLOP/s", g.tflops), g.fractionOfCatalogPeak.map { String(format: "%.3f", $0) } ?? "-"])
        }
        for (name, list) in [("device memory", p.deviceMemory), ("host→device", p.hostToDevice),
                             ("device→host", p.deviceToHost), ("peer 0→1", p.peerToPeer)] {
            for b in list {
                table.rows.append([name, "\(b.bytes)", String(format: "%.4g", b.seconds), String(format: "%.1f GB/s", b.gbps), "-"])
            }
        }
        if let ar = p.allReduce {
            for pt in ar.points {
                table.rows.append(["all-reduce ×\(ar.gpus)", "\(pt.bytes)", String(format: "%.4g", pt.seconds),
                                   String(format: "busbw %.1f GB/s", pt.busbwGBps), "-"])
            }
        }
        print(table.render())
        if let ar = p.allReduce {
            print(String(format: "all-reduce α = %.3g s, fitted busbw = %.1f GB/s", ar.alphaSeconds, ar.busBandwidthGBps))
        }
        for n in p.notes { print("note       \(n)") }
    }

    static func printReport(_ r: ValidationReport) {
        let s = r.step
        print("gpu        \(r.device.name) ×\(r.device.deviceCount) (catalog: \(r.catalogMatch ?? "no match"))")
        print("model      \(s.model): \(s.gemmCount) × \(s.precision.rawValue) GEMM n=\(s.gemmSize) "
              + String(format: "(%.4g FLOP, target %.4g)", s.executedFLOPs, s.targetFLOPs)
              + (s.gpus > 1 ? ", all-reduce \(s.allReduceBytes) bytes over \(s.gpus) GPUs" : ", 1 GPU"))
        let it = r.iteration
        print(String(format: "iteration  measured %.4g s, predicted %.4g s (compute %.4g + all-reduce %.4g), relative error %+.1f%%",
                     it.measuredSeconds, it.predictedSeconds, it.prediction.computeSeconds, it.prediction.allReduceSeconds,
                     100 * it.relativeError))
        let ts = r.timeSharing
        print(String(format: "sharing    2 jobs time-sharing one GPU: measured slowdown %.3f× vs sharing model %.1f× "
                     + "(compute-bound), relative error %+.1f%%", ts.measuredSlowdown, ts.modelSlowdown, 100 * ts.relativeError))
        for n in r.notes { print("note       \(n)") }
    }
}

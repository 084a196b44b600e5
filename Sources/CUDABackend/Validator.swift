import ClusterModel
import Foundation
import Models

/// Runs a zoo model's synthetic step on a backend and compares it with the speed model's prediction.
public struct Validator {
    /// Where the timings come from.
    public var backend: any GPUBackend
    /// The calibration the prediction uses.
    public var profile: HardwareProfile
    /// Timed repetitions per measurement (medians are compared).
    public var repetitions: Int

    /// The simple time-sharing model: `jobs` compute-bound jobs sharing one GPU each run `jobs` times slower.
    public static func sharingModelSlowdown(jobs: Int) -> Double { Double(jobs) }

    /// Creates a validator.
    public init(backend: any GPUBackend, profile: HardwareProfile, repetitions: Int = 10) {
        self.backend = backend
        self.profile = profile
        self.repetitions = repetitions
    }

    /// The synthetic step for `model`: GEMM sizes from the profile's calibrated sizes (so the prediction uses a
    /// measured point), data parallel over every GPU when the profile has an all-reduce calibration for them.
    public func step(for model: ZooModel, precision: Precision) throws -> SyntheticStep {
        let sizes = profile.gemm.filter { $0.precision == precision }.map(\.size)
        guard !sizes.isEmpty else {
            throw HardwareError.unsupported("the profile has no \(precision.rawValue) GEMM measurements")
        }
        var gpus = 1
        if backend.device.deviceCount >= 2, let ar = profile.allReduce, ar.gpus <= backend.device.deviceCount { gpus = ar.gpus }
        guard let step = SyntheticStep.make(model: model, precision: precision, sizes: sizes, gpus: gpus) else {
            throw HardwareError.unsupported("no FLOPs estimate for model '\(model.name)'")
        }
        return step
    }

    /// Measures and predicts `model`'s synthetic step, alone and as two jobs time-sharing device 0.
    public func run(model: ZooModel, precision: Precision, date: Date) throws -> ValidationReport {
        let device = backend.device
        var notes: [String] = []
        if profile.gpuName != device.name {
            notes.append("the profile was measured on '\(profile.gpuName)', this device is '\(device.name)'")
        }
        let step = try step(for: model, precision: precision)
        let prediction = try StepPredictor.predict(step, profile: profile)
        let samples = try backend.timeStep(step, repetitions: repetitions)
        let measured = try Calibrator.median(samples, "\(model.name) step")
        let predicted = prediction.totalSeconds

        let solo = step.singleGPU
        let soloSeconds = step.gpus == 1 ? measured : try Calibrator.median(backend.timeStep(solo, repetitions: repetitions), "\(model.name) solo step")
        let sharedSamples = try backend.timeSharedStep(solo, repetitions: repetitions)
        let shared = try Calibrator.median(sharedSamples, "\(model.name) shared step")
        let measuredSlowdown = shared / soloSeconds
        let modelSlowdown = Self.sharingModelSlowdown(jobs: 2)

        return ValidationReport(
            schema: ValidationReport.currentSchema, measuredAt: Calibrator.timestamp(date), device: device,
            catalogMatch: profile.catalogMatch, profileMeasuredAt: profile.measuredAt,
            flopsDerivation: SyntheticStep.flopsTable.first { $0.model == model.name }?.derivation ?? "",
            step: step, repetitions: repetitions,
            iteration: .init(measuredSeconds: measured, predictedSeconds: predicted, prediction: prediction,
                             relativeError: (predicted - measured) / measured, samples: samples),
            timeSharing: .init(
                label: "two jobs time-sharing one GPU: two streams on device 0, GEMMs issued alternately from one host "
                    + "thread; measured slowdown = time for both to finish one iteration / one job alone; simple sharing "
                    + "model = 2× for compute-bound work",
                jobs: 2, soloSeconds: soloSeconds, sharedSeconds: shared, measuredSlowdown: measuredSlowdown,
                modelSlowdown: modelSlowdown, relativeError: (modelSlowdown - measuredSlowdown) / measuredSlowdown,
                sharedSamples: sharedSamples),
            notes: notes)
    }
}

extension ValidationReport {
    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

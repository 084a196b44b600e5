import ClusterModel
import Foundation

/// What a calibration measures: sizes, precisions, repetitions.
public struct CalibrationPlan: Sendable {
    /// Square GEMM sizes, per precision.
    public var gemmSizes: [Int] = [1024, 2048, 4096, 8192]
    /// GEMM element types.
    public var precisions: [Precision] = [.bf16, .fp16, .fp32]
    /// Copy sizes, bytes (device-to-device, host↔device, peer).
    public var copyBytes: [Int] = [64 << 20, 256 << 20, 1 << 30]
    /// All-reduce sizes per rank, bytes: 1 MiB to 1 GiB in steps of 4×.
    public var allReduceBytes: [Int] = (0...5).map { (1 << 20) << (2 * $0) }
    /// Timed repetitions per point (after the backend's warm-up); each point records their median.
    public var repetitions = 10
    /// Largest share of device 0's memory one measurement may allocate; larger points are skipped with a note.
    public var memoryFraction = 0.5

    /// The default plan.
    public init() {}

    /// A small plan that checks the tool end to end in seconds (GEMMs 256 and 512, copies and all-reduces of 1 to
    /// 16 MiB); its numbers say little about the hardware.
    public static var quick: CalibrationPlan {
        var p = CalibrationPlan()
        p.gemmSizes = [256, 512]
        p.copyBytes = [1 << 20, 16 << 20]
        p.allReduceBytes = [1 << 20, 4 << 20, 16 << 20]
        return p
    }
}

/// Runs a calibration on a backend and assembles the hardware profile.
public struct Calibrator {
    /// Where the timings come from.
    public var backend: any GPUBackend
    /// What to measure.
    public var plan: CalibrationPlan
    /// Progress lines (one per measured point).
    public var log: (String) -> Void

    /// Creates a calibrator.
    public init(backend: any GPUBackend, plan: CalibrationPlan = CalibrationPlan(), log: @escaping (String) -> Void = { _ in }) {
        self.backend = backend
        self.plan = plan
        self.log = log
    }

    /// Measures everything in the plan the machine supports; `date` is recorded as the measurement time.
    public func run(date: Date) throws -> HardwareProfile {
        let device = backend.device
        let match = CatalogMatch.gpuType(deviceName: device.name, memoryBytes: device.memoryBytes)
        let budget = Double(device.memoryBytes) * plan.memoryFraction
        var notes: [String] = []
        if match == nil { notes.append("'\(device.name)' matches no GPUCatalog entry: no fraction of peak") }
        func fits(_ bytes: Double, _ what: String) -> Bool {
            if bytes <= budget { return true }
            notes.append("skipped \(what): needs \(Int(bytes)) bytes, over \(plan.memoryFraction) of device memory")
            return false
        }

        var gemm: [GEMMMeasurement] = []
        for p in plan.precisions {
            for n in plan.gemmSizes where fits(3 * Double(n) * Double(n) * Double(p.elementBytes), "\(p.rawValue) GEMM n=\(n)") {
                let s = try Self.median(backend.timeGEMM(m: n, n: n, k: n, precision: p, repetitions: plan.repetitions),
                                        "\(p.rawValue) GEMM n=\(n)")
                let tflops = GEMMSizing.flops(m: n, n: n, k: n) / s / 1e12
                gemm.append(GEMMMeasurement(precision: p, size: n, seconds: s, tflops: tflops,
                                            fractionOfCatalogPeak: match.map { tflops / $0.fp16TFLOPS }))
                log(String(format: "gemm %@ n=%d: %.4g s, %.1f TFLOP/s", p.rawValue, n, s, tflops))
            }
        }

        func copies(_ d: CopyDirection, perDevice: Double) throws -> [BandwidthMeasurement] {
            var out: [BandwidthMeasurement] = []
            for b in plan.copyBytes where fits(perDevice * Double(b), "\(d.rawValue) \(b) bytes") {
                let s = try Self.median(backend.timeCopy(d, bytes: b, repetitions: plan.repetitions), "\(d.rawValue) \(b) bytes")
                let gbps = d.bytesMoved(b) / s / 1e9
                out.append(BandwidthMeasurement(bytes: b, seconds: s, gbps: gbps))
                log(String(format: "%@ %d bytes: %.4g s, %.1f GB/s", d.rawValue, b, s, gbps))
            }
            return out
        }
        let deviceMemory = try copies(.deviceToDevice, perDevice: 2)
        let hostToDevice = try copies(.hostToDevice, perDevice: 1)
        let deviceToHost = try copies(.deviceToHost, perDevice: 1)
        var peer: [BandwidthMeasurement] = []
        if device.deviceCount >= 2 {
            if device.peerAccess == false { notes.append("devices 0 and 1 have no peer access: peer copies go through the host") }
            peer = try copies(.peerToPeer, perDevice: 1)
        } else {
            notes.append("one GPU: no peer-to-peer or all-reduce measurement")
        }

        var allReduce: AllReduceCalibration?
        if device.deviceCount >= 2 {
            if device.ncclVersion == nil {
                notes.append("NCCL (libnccl.so.2) not loaded: no all-reduce measurement")
            } else {
                let n = device.deviceCount
                var points: [AllReducePoint] = []
                for b in plan.allReduceBytes where fits(2 * Double(b), "all-reduce \(b) bytes") {
                    let s = try Self.median(backend.timeAllReduce(bytes: b, gpus: n, repetitions: plan.repetitions),
                                            "all-reduce \(b) bytes")
                    let algbw = CollectiveBandwidth.algorithmBandwidth(bytes: Double(b), seconds: s)
                    let busbw = CollectiveBandwidth.allReduceBusBandwidth(bytes: Double(b), seconds: s, ranks: n)
                    points.append(AllReducePoint(bytes: b, seconds: s, algbwGBps: algbw / 1e9, busbwGBps: busbw / 1e9))
                    log(String(format: "all-reduce %d GPUs %d bytes: %.4g s, algbw %.1f GB/s, busbw %.1f GB/s",
                               n, b, s, algbw / 1e9, busbw / 1e9))
                }
                if let fit = CollectiveBandwidth.fitAlphaBeta(bytes: points.map { Double($0.bytes) }, seconds: points.map(\.seconds), ranks: n) {
                    allReduce = AllReduceCalibration(gpus: n, points: points, alphaSeconds: fit.alphaSeconds,
                                                     busBandwidthGBps: fit.busBandwidth / 1e9)
                } else {
                    notes.append("all-reduce: could not fit α and bus bandwidth (fewer than two sizes or non-increasing times)")
                }
            }
        }

        return HardwareProfile(
            gpuName: device.name, catalogMatch: match?.name, catalogPeakFP16TFLOPS: match?.fp16TFLOPS,
            memoryBytes: device.memoryBytes, driverVersion: DeviceInfo.cudaVersionString(device.driverVersion),
            runtimeVersion: DeviceInfo.cudaVersionString(device.runtimeVersion),
            ncclVersion: device.ncclVersion.map(DeviceInfo.ncclVersionString), deviceCount: device.deviceCount,
            measuredAt: Self.timestamp(date), repetitions: plan.repetitions, gemm: gemm, deviceMemory: deviceMemory,
            hostToDevice: hostToDevice, deviceToHost: deviceToHost, peerToPeer: peer, allReduce: allReduce, notes: notes)
    }

    /// The median of `samples`, which must be non-empty and all positive (a zero time means nothing was timed).
    static func median(_ samples: [Double], _ what: String) throws -> Double {
        guard let m = Statistics.median(samples), samples.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw HardwareError.callFailed("\(what): no valid timing (samples: \(samples))")
        }
        return m
    }

    /// `date` as ISO 8601 in UTC, whole seconds.
    public static func timestamp(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}

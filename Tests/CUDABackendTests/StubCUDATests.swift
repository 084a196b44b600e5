import ClusterModel
import CUDABackend
import Foundation
import SimTestSupport
import XCTest

/// `schedlab hw` end to end against stand-in CUDA libraries (`StubCUDASource`) loaded through LD_LIBRARY_PATH:
/// exercises dlopen, dlsym, the library-name fallbacks, argument passing, error paths and resource cleanup. The
/// stand-in's timings are arithmetic on a virtual clock, so the expected results are known; they are not measurements.
final class StubCUDATests: SchedLabBinaryTestCase {
    /// Built once: a directory with every library, and one without libnccl.so.2.
    static let stubDirs: (all: URL, noNCCL: URL)? = {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("schedlab-stub-cuda-\(getpid())")
        let all = root.appendingPathComponent("all"), noNCCL = root.appendingPathComponent("no-nccl")
        do {
            try fm.createDirectory(at: all, withIntermediateDirectories: true)
            try fm.createDirectory(at: noNCCL, withIntermediateDirectories: true)
            let source = root.appendingPathComponent("fakecuda.c")
            try StubCUDASource.code.write(to: source, atomically: true, encoding: .utf8)
            let lib = root.appendingPathComponent("libfakecuda.so")
            var compiled = false
            for cc in ["clang", "cc", "gcc"] where !compiled {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = [cc, "-shared", "-fPIC", "-O1", "-w", "-o", lib.path, source.path]
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                compiled = p.terminationStatus == 0
            }
            guard compiled else { return nil }
            // libcudart.so and libcublas.so are absent, so the loader's fallbacks to the .12 names are exercised.
            for name in ["libcuda.so.1", "libcudart.so.12", "libcublas.so.12", "libnccl.so.2"] {
                try fm.createSymbolicLink(at: all.appendingPathComponent(name), withDestinationURL: lib)
                if name != "libnccl.so.2" {
                    try fm.createSymbolicLink(at: noNCCL.appendingPathComponent(name), withDestinationURL: lib)
                }
            }
            return (all, noNCCL)
        } catch {
            return nil
        }
    }()

    override class func tearDown() {
        if let dirs = stubDirs { try? FileManager.default.removeItem(at: dirs.all.deletingLastPathComponent()) }
        super.tearDown()
    }

    func hw(_ args: [String], nccl: Bool = true, env: [String: String] = [:]) throws -> SchedLabBinary.Output {
        guard let dirs = Self.stubDirs else { throw XCTSkip("no C compiler to build the stand-in CUDA libraries") }
        // On a machine with real CUDA, dlopen may find a real library before these for a name tried earlier
        // (e.g. libcudart.so); the stand-in tests are for machines without one.
        if (try? CUDALibrary.load()) != nil { throw XCTSkip("real CUDA is present; the stand-in libraries would be shadowed") }
        var e = env
        e["LD_LIBRARY_PATH"] = (nccl ? dirs.all : dirs.noNCCL).path
        let r = try schedlab(["hw"] + args, environment: e)
        XCTAssertFalse(r.stderr.contains("FAKECUDA"), "misuse or leak reported by the stand-in:\n\(r.stderr)")
        return r
    }

    func json<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: url))
    }

    func testCalibrateThenValidateOnTwoStubGPUs() throws {
        let cal = try hw(["calibrate", "--quick", "--repetitions", "3", "-o", "profile.json"])
        XCTAssertEqual(cal.status, 0, "stdout: \(cal.stdout)\nstderr: \(cal.stderr)")
        XCTAssertTrue(cal.stdout.contains("NVIDIA H100 80GB HBM3 ×2 (catalog: h100), driver 12.4, runtime 12.2, NCCL 2.19.3"), cal.stdout)
        let profile = try json(HardwareProfile.self, dir.appendingPathComponent("profile.json"))
        let r = StubCUDASource.rates
        XCTAssertEqual(profile.catalogMatch, "h100")
        XCTAssertEqual(profile.deviceCount, 2)
        XCTAssertEqual(profile.gemm.count, 6)
        for g in profile.gemm {
            let rate = g.precision == .fp32 ? r.floatFLOPS : r.halfFLOPS
            XCTAssertEqual(g.tflops / (rate / 1e12), 1, accuracy: 1e-5, "\(g.precision) \(g.size)")
            XCTAssertEqual(try XCTUnwrap(g.fractionOfCatalogPeak), rate / 1e12 / 989.4, accuracy: 1e-5)
        }
        for b in profile.deviceMemory { XCTAssertEqual(b.gbps / (r.memory / 1e9), 1, accuracy: 1e-5) }
        for b in profile.hostToDevice + profile.deviceToHost { XCTAssertEqual(b.gbps / (r.host / 1e9), 1, accuracy: 1e-5) }
        XCTAssertEqual(profile.peerToPeer.count, 2)
        for b in profile.peerToPeer { XCTAssertEqual(b.gbps / (r.peer / 1e9), 1, accuracy: 1e-5) }
        let ar = try XCTUnwrap(profile.allReduce)
        XCTAssertEqual(ar.gpus, 2)
        XCTAssertEqual(ar.alphaSeconds, r.alpha, accuracy: 1e-7)
        XCTAssertEqual(ar.busBandwidthGBps / (r.busbw / 1e9), 1, accuracy: 1e-4)

        let val = try hw(["validate", "--profile", "profile.json", "--model", "lm", "--repetitions", "3", "-o", "out"])
        XCTAssertEqual(val.status, 0, "stdout: \(val.stdout)\nstderr: \(val.stderr)")
        XCTAssertTrue(val.stdout.contains("all-reduce 112000000 bytes over 2 GPUs"), val.stdout)
        XCTAssertTrue(val.stdout.contains("relative error"), val.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)
        XCTAssertEqual(files.count, 1, "\(files)")
        let name = try XCTUnwrap(files.first)
        XCTAssertTrue(name.hasPrefix("validate-lm-nvidia-h100-80gb-hbm3-") && name.hasSuffix("Z.json"), name)
        let report = try json(ValidationReport.self, dir.appendingPathComponent("out").appendingPathComponent(name))
        XCTAssertEqual(report.step.gpus, 2)
        XCTAssertEqual(report.step.gemmSize, 512)
        // The stand-in runs exactly the calibrated rates, so prediction and measurement agree.
        let expected = report.step.executedFLOPs / r.halfFLOPS + r.alpha + 112e6 / r.busbw
        XCTAssertEqual(report.iteration.measuredSeconds / expected, 1, accuracy: 1e-4)
        XCTAssertEqual(report.iteration.relativeError, 0, accuracy: 1e-3)
        // Two jobs on one device's clock: exactly the 2× sharing model.
        XCTAssertEqual(report.timeSharing.measuredSlowdown, 2, accuracy: 1e-4)
        XCTAssertEqual(report.timeSharing.relativeError, 0, accuracy: 1e-4)
    }

    func testValidateWithoutProfileCalibratesFirstOnOneGPU() throws {
        let r = try hw(["validate", "--quick", "--model", "resnet18", "--repetitions", "2", "-o", "out"], env: ["FAKE_CUDA_DEVICES": "1"])
        XCTAssertEqual(r.status, 0, "stdout: \(r.stdout)\nstderr: \(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        XCTAssertEqual(files.count, 2, "\(files)")
        XCTAssertTrue(files[0].hasPrefix("profile-nvidia-h100-80gb-hbm3-"), "\(files)")
        XCTAssertTrue(files[1].hasPrefix("validate-resnet18-nvidia-h100-80gb-hbm3-"), "\(files)")
        let profile = try json(HardwareProfile.self, dir.appendingPathComponent("out").appendingPathComponent(files[0]))
        XCTAssertNil(profile.allReduce)
        XCTAssertEqual(profile.peerToPeer, [])
        XCTAssertTrue(r.stdout.contains(", 1 GPU"), r.stdout)
    }

    func testTwoGPUsWithoutNCCL() throws {
        let r = try hw(["calibrate", "--quick", "--repetitions", "2", "-o", "p.json"], nccl: false)
        XCTAssertEqual(r.status, 0, r.stderr)
        let profile = try json(HardwareProfile.self, dir.appendingPathComponent("p.json"))
        XCTAssertNil(profile.ncclVersion)
        XCTAssertNil(profile.allReduce)
        XCTAssertEqual(profile.peerToPeer.count, 2)
        XCTAssertTrue(profile.notes.contains { $0.contains("NCCL") }, "\(profile.notes)")
    }

    func testNoDeviceExitsThree() throws {
        let r = try hw(["calibrate", "-o", "p.json"], env: ["FAKE_CUDA_DEVICES": "0"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertEqual(r.stderr, "error: no CUDA driver/device: cuDeviceGetCount returned 0 devices\n")
        let noInit = try hw(["calibrate"], env: ["FAKE_CUDA_FAIL": "cuInit"])
        XCTAssertEqual(noInit.status, 3, noInit.stderr)
        XCTAssertEqual(noInit.stderr, "error: no CUDA driver/device: cuInit returned error 100 (fake driver error 100)\n")
    }

    func testAFailingCallExitsOneNamingItAndReleasesEverything() throws {
        let gemm = try hw(["calibrate", "--quick", "-o", "p.json"], env: ["FAKE_CUDA_FAIL": "cublasGemmEx"])
        XCTAssertEqual(gemm.status, 1, gemm.stderr)
        XCTAssertEqual(gemm.stderr, "error: cublasGemmEx failed: cublasStatus_t 13 (CUBLAS_STATUS_EXECUTION_FAILED (fake))\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p.json").path))
        let malloc = try hw(["calibrate", "--quick"], env: ["FAKE_CUDA_FAIL": "cudaMalloc"])
        XCTAssertEqual(malloc.status, 1, malloc.stderr)
        XCTAssertEqual(malloc.stderr, "error: cudaMalloc failed: error 2 (fake runtime error 2)\n")
        let copy = try hw(["calibrate", "--quick"], env: ["FAKE_CUDA_FAIL": "cudaMemcpyAsync"])
        XCTAssertEqual(copy.status, 1, copy.stderr)
        XCTAssertTrue(copy.stderr.hasPrefix("error: cudaMemcpyAsync failed: error 1"), copy.stderr)
    }
}

import Foundation
import Models
import XCTest

/// Every number of the six Pollux-artifact zoo models, recomputed from copies of the artifact's files
/// (Fixtures/pollux-osdi21: the single-GPU rows of simulator/traces/<app>/placements.csv, every
/// validation-<batch>.csv, and the list of validated batch sizes; petuum/adaptdl, branch osdi21-artifact).
final class PolluxZooTests: XCTestCase {
    private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pollux-osdi21")
    /// (artifact application, zoo model, epoch cap from simulator/applications.py, local-batch cap where it overrides).
    private let apps: [(app: String, model: String, epochs: Int, maxLocal: Int?)] = [
        ("bert", "bert-squad", 2, nil), ("cifar10", "resnet18-cifar10", 100, nil), ("deepspeech2", "deepspeech2", 80, nil),
        ("imagenet", "resnet50-imagenet", 90, nil), ("ncf", "neumf", 10, nil), ("yolov3", "yolov3", 50, 8),
    ]

    private func rows(_ name: String) throws -> [[String: Double]] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = lines[0]
        return lines.dropFirst().map { fields in
            Dictionary(uniqueKeysWithValues: zip(header, fields.map { Double($0)! }))
        }
    }

    private func batchSizes(_ app: String) throws -> [Int] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("validated-batch-sizes.csv"), encoding: .utf8)
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix(app + ",") })
        return line.split(separator: ",")[1].split(separator: " ").map { Int($0)! }
    }

    private func assertRelative(_ a: Double, _ b: Double, _ what: String, tolerance: Double = 1e-5) {
        XCTAssertEqual(a, b, accuracy: abs(b) * tolerance, what)
    }

    /// Compute: least squares of step_time − sync_time on the local batch over the single-GPU rows gives α + β·local;
    /// the zoo quotes α and the fitted time at the reference (largest) local batch, on a T4.
    func testComputeTimesFitTheSingleGPUPlacements() throws {
        for a in apps {
            let one = try rows("\(a.app)-placements-1gpu.csv")
            XCTAssertTrue(one.allSatisfy { $0["placement"] == 1 })
            let xs = one.map { $0["local_bsz"]! }, ys = one.map { $0["step_time"]! - $0["sync_time"]! }
            let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
            var sxy = 0.0, sxx = 0.0
            for (x, y) in zip(xs, ys) {
                sxy += (x - mx) * (y - my)
                sxx += (x - mx) * (x - mx)
            }
            let beta = sxy / sxx
            let alpha = my - beta * mx
            let ref = a.maxLocal ?? Int(xs.max()!)
            let model = try XCTUnwrap(ModelZoo.named(a.model))
            XCTAssertEqual(model.referenceBatchPerGPU, ref, a.model)
            XCTAssertEqual(model.measuredComputeSeconds.map(\.gpu), ["t4"], a.model)
            assertRelative(model.computeInterceptSeconds, alpha, "\(a.model) α")
            assertRelative(model.measuredComputeSeconds[0].seconds, alpha + beta * Double(ref), "\(a.model) T at \(ref)")
            let profile = try XCTUnwrap(model.efficiency)
            XCTAssertEqual(profile.localBatch, Int(xs.min()!)...ref, a.model)
            XCTAssertTrue(model.source.contains("simulator/traces/\(a.app)"), model.source)
        }
    }

    /// Efficiency: M₀ and the largest batch from the validated sizes, iterations per epoch from the first epoch's
    /// progress at M₀, and for every validated batch φ per tenth of the epochs as the geometric mean of
    /// M₀ × grad_var / grad_sqr over its validation file's epochs (zero rows left out).
    func testEfficiencyProfilesFollowTheValidationFiles() throws {
        for a in apps {
            let sizes = try batchSizes(a.app)
            let m0 = sizes.min()!
            let profile = try XCTUnwrap(ModelZoo.named(a.model)?.efficiency)
            XCTAssertEqual(profile.baseBatch, m0, a.model)
            XCTAssertEqual(profile.maxBatch, sizes.max()!, a.model)
            XCTAssertEqual(profile.noiseBatches, sizes, a.model)
            XCTAssertEqual(profile.epochs, a.epochs, a.model)
            XCTAssertEqual(profile.iterationsPerEpoch, try rows("\(a.app)-validation-\(m0).csv")[0]["progress"]!, a.model)
            let shares = min(a.epochs, 10)
            XCTAssertEqual(profile.shares, shares, a.model)
            for (i, batch) in sizes.enumerated() {
                let epochs = try rows("\(a.app)-validation-\(batch).csv")
                XCTAssertGreaterThanOrEqual(epochs.count, a.epochs, "\(a.model) at \(batch)")
                for k in 0..<shares {
                    let slice = epochs[(k * a.epochs / shares)..<((k + 1) * a.epochs / shares)]
                    let logs = slice.compactMap { r -> Double? in
                        guard r["grad_sqr"]! > 0, r["grad_var"]! > 0 else { return nil }
                        return log(Double(m0) * r["grad_var"]! / r["grad_sqr"]!)
                    }
                    assertRelative(profile.noiseScale[i][k], exp(logs.reduce(0, +) / Double(logs.count)), "\(a.model) φ[\(batch)][\(k)]")
                }
            }
            XCTAssertEqual(profile.pinnedBatch, a.app == "ncf" ? 32768 : nil, a.model)
        }
    }

    func testNoiseScaleIsPiecewiseConstantOverTraining() throws {
        let p = try XCTUnwrap(ModelZoo.named("resnet18-cifar10")?.efficiency)
        XCTAssertEqual(p.noiseScale(atProgress: 0, batch: 128), p.noiseScale[0][0])
        XCTAssertEqual(p.noiseScale(atProgress: 0.0999, batch: 128), p.noiseScale[0][0])
        XCTAssertEqual(p.noiseScale(atProgress: 0.1, batch: 128), p.noiseScale[0][1])
        XCTAssertEqual(p.noiseScale(atProgress: 1, batch: 4096), p.noiseScale[5][9])
        XCTAssertEqual(p.noiseScale(atProgress: 7, batch: 9000), p.noiseScale[5][9])
        XCTAssertEqual(p.noiseScale(atProgress: -1, batch: 1), p.noiseScale[0][0])
        // Between validated batches, linear in the batch: 384 is halfway from 256 to 512.
        XCTAssertEqual(p.noiseScale(atProgress: 0.5, batch: 384), (p.noiseScale[1][5] + p.noiseScale[2][5]) / 2, accuracy: 1e-9)
        XCTAssertEqual(p.totalIterations, 100 * 391)
    }
}

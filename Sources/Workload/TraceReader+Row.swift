import ClusterModel
import Models
import SimKernel

extension TraceReader {
    /// The declared ranges the row checks use, looked up once rather than per row.
    private static let submitRange = range("submit_time_s")
    private static let gpuRange = range("num_gpus")
    private static let durationRange = range("duration_s")
    private static let milliRange = range("gpu_milli")
    private static let epochRange = range("epochs")
    private static let batchRange = range("batch_size")

    /// One job row, checked column by column against `columnRanges`, the GPU catalog and the model zoo; both readers
    /// (the fast byte reader and the reference) call this, so every check and message is shared.
    static func parseRow<F: TraceRowFields>(_ f: F, index: Int, file: String, line: Int) throws(InputError) -> JobSpec {
        func fail(_ column: String, _ expected: String, _ got: String) -> InputError {
            InputError(file: file, line: line, field: column, message: "expected \(expected), got '\(got)'")
        }
        guard !f.isEmpty(0) else { throw fail("job_id", "a non-empty job id", "") }
        let name = f.string(0)
        // Ranges from `columnRanges`; the bounds keep every submit and finish time inside the simulated clock.
        guard let submit = f.double(1), submitRange.contains(submit) else {
            throw fail("submit_time_s", submitRange.expectation, f.string(1))
        }
        guard let gpus = f.int(2), gpuRange.contains(gpus) else { throw fail("num_gpus", gpuRange.expectation, f.string(2)) }
        let trainsEpochs = f.count > 10 && !f.isEmpty(10)
        var duration = 0.0
        if !(trainsEpochs && f.isEmpty(3)) {
            guard let d = f.double(3), durationRange.contains(d) else {
                throw fail("duration_s", durationRange.expectation + (trainsEpochs ? " or empty" : ""), f.string(3))
            }
            duration = d
        }
        var gpuType: String?
        var model: Int?
        var user: String?
        if f.count > 4, !f.isEmpty(4) {
            let text = f.string(4)
            guard GPUCatalog.named(text) != nil else {
                throw fail("gpu_type", "one of \(GPUCatalog.names.joined(separator: ", ")) or empty", text)
            }
            gpuType = text
        }
        if f.count > 5, !f.isEmpty(5) {
            let text = f.string(5)
            guard let m = ModelZoo.index(named: text) else {
                throw fail("model", "one of \(ModelZoo.names.joined(separator: ", ")) or empty", text)
            }
            model = m
        }
        if f.count > 6, !f.isEmpty(6) { user = f.string(6) }
        let status = f.count > 7 && !f.isEmpty(7) ? f.string(7) : nil
        var gpuMilli: Int?
        if f.count > 8, !f.isEmpty(8) {
            guard let m = f.int(8), milliRange.contains(m) else { throw fail("gpu_milli", "\(milliRange.expectation) or empty", f.string(8)) }
            gpuMilli = m
        }
        let hasBatch = f.count > 9 && !f.isEmpty(9)
        var work = JobWork.duration(.seconds(duration))
        var globalBatch: Int?
        var gpuRange: ClosedRange<Int>?
        if trainsEpochs {
            guard let m = model, let profile = ModelZoo.efficiencyProfiles[m] else {
                let names = ModelZoo.all.filter { $0.efficiency != nil }.map(\.name)
                throw fail("model", "a model with an efficiency profile (\(names.joined(separator: ", "))) for a job with epochs",
                           f.count > 5 ? f.string(5) : "")
            }
            guard let epochs = f.int(10), epochRange.contains(epochs) else { throw fail("epochs", epochRange.expectation, f.string(10)) }
            var batch = profile.baseBatch
            if hasBatch {
                guard let b = f.int(9), batchRange.contains(b) else { throw fail("batch_size", "\(batchRange.expectation) or empty", f.string(9)) }
                batch = b
            }
            let most = profile.pinnedBatch != nil ? 1 : max(1, profile.maxBatch / profile.localBatch.lowerBound)
            work = .iterations(Double(epochs) * profile.iterationsPerEpoch)
            globalBatch = batch
            gpuRange = 1...max(gpus, most)
        } else if hasBatch {
            throw fail("epochs", "a number of epochs when batch_size is given", "")
        }
        // Built once, after every check, and returned as built: building it earlier and returning it from several
        // places made the optimizer copy it (a retain and release of each of its strings per row).
        var spec = JobSpec(
            id: JobID(index), name: name, submitTime: .seconds(submit), gpuCount: gpus, model: model,
            work: work, gpuType: gpuType, user: user)
        spec.status = status
        spec.gpuMilli = gpuMilli
        spec.globalBatch = globalBatch
        spec.gpuRange = gpuRange
        return spec
    }
}

import Models

/// Converts a workload of the Pollux artifact (Qiao et al., OSDI'21; petuum/adaptdl, branch osdi21-artifact,
/// `simulator/workloads*/workload-<n>.csv`: `name,time,application,num_replicas,batch_size`).
///
/// Rules: job ID = `name`; submit = `time` (seconds); GPUs = `num_replicas` (what Tiresias runs it on); model = the zoo
/// model of `application` (`models`); global batch = `batch_size` (what Optimus and Tiresias train with); epochs = the
/// model's epoch cap (the artifact's workloads set no target metric, so every job trains to its cap). The canonical
/// rows carry `batch_size,epochs`, which makes each job elastic and counts its work in goodput (`TraceReader`). An
/// unknown application, or a count or batch below 1, fails the row.
public enum PolluxImporter: TraceImporter {
    /// The zoo model of each Pollux application, in the artifact's order (`simulator/applications.py`).
    public static let models: [(application: String, model: String)] = [
        ("bert", "bert-squad"), ("cifar10", "resnet18-cifar10"), ("deepspeech2", "deepspeech2"),
        ("imagenet", "resnet50-imagenet"), ("ncf", "neumf"), ("yolov3", "yolov3"),
    ]

    /// Converts one workload file.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let csv = try RawCSV(text: text, file: file)
        let name = try csv.column("name")
        let time = try csv.column("time")
        let application = try csv.column("application")
        let replicas = try csv.column("num_replicas")
        let batch = try csv.column("batch_size")
        var rows: [CanonicalTraceRow] = []
        let (count, skipped) = try csv.forEachRow(skipBadRows: skipBadRows) { row throws(InputError) in
            let id = row.text(name)
            guard !id.isEmpty else { throw row.fail(name, "a non-empty job name") }
            let submit = try row.number(time, "a number of seconds")
            guard submit >= 0 else { throw row.fail(time, "a number of seconds >= 0") }
            let app = row.text(application)
            guard let modelName = models.first(where: { $0.application == app })?.model,
                  let epochs = ModelZoo.named(modelName)?.efficiency?.epochs else {
                throw row.fail(application, "one of \(models.map(\.application).joined(separator: ", "))")
            }
            let n = try row.integer(replicas, "an integer >= 1")
            guard n >= 1 else { throw row.fail(replicas, "an integer >= 1") }
            let b = try row.integer(batch, "an integer >= 1")
            guard b >= 1 else { throw row.fail(batch, "an integer >= 1") }
            var out = CanonicalTraceRow(jobID: id, submitTime: submit, gpuCount: n, duration: 0, model: modelName)
            out.batchSize = b
            out.epochs = epochs
            rows.append(out)
        }
        return ImportResult(rows: rows, rawRecords: count, skipped: skipped)
    }
}

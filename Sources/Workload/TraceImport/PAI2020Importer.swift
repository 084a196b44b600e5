import Foundation

/// Converts an Alibaba PAI 2020 task table (`pai_task_table.csv`, no header).
///
/// Columns: `job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type`;
/// times are Unix seconds (possibly empty); `plan_gpu` is percent of one GPU per instance (100 = 1 GPU).
/// A job is all task rows with one `job_name`: GPUs = ⌈Σ inst_num × plan_gpu / 100⌉; submit = min
/// `start_time`; duration = max `end_time` − min `start_time`; GPU type = the tasks' `gpu_type` mapped
/// (V100→v100-16, V100M32→v100-32, P100→p100, T4→t4, MISC→empty) when all tasks agree, else empty (counted);
/// status = the tasks' status when they agree, else `Failed` if any task failed, else the distinct statuses
/// sorted and joined by `+` (counted). Jobs dropped and counted, in this order: a task row was malformed
/// (only with skipping), no GPU requested, a task without a start or end time, no run time.
public enum PAI2020Importer: TraceImporter {
    /// The columns, in file order.
    public static let columns = [
        "job_name", "task_name", "inst_num", "status", "start_time", "end_time", "plan_cpu", "plan_mem", "plan_gpu",
        "gpu_type",
    ]
    /// Drop rule: a bad task row was skipped.
    public static let dropBadTask = "a task row was malformed (job left out whole)"
    /// Drop rule: no GPUs.
    public static let dropNoGPU = "no GPU requested (sum of inst_num × plan_gpu = 0)"
    /// Drop rule: missing times.
    public static let dropMissingTimes = "a task has no start_time or end_time"
    /// Drop rule: no run time.
    public static let dropNoDuration = "max end_time <= min start_time (no run time)"
    /// Adjustment rule: tasks disagree on the GPU type.
    public static let adjustMixedTypes = "tasks disagree on gpu_type (gpu_type left empty)"
    /// Adjustment rule: an unknown GPU type.
    public static let adjustUnknownType = "gpu_type is not a known GPU type (gpu_type left empty)"
    /// Adjustment rule: tasks disagree on the status.
    public static let adjustMixedStatus = "tasks disagree on status (Failed if any failed, else joined by '+')"

    private struct Task {
        var instances: Double
        var status: String
        var start: Double?
        var end: Double?
        var gpuPercent: Double
        var gpuType: String
    }

    /// Converts one task table; `rawRecords` in the result counts jobs (distinct job names), not task rows.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let csv = try RawCSV(text: text, file: file, columns: columns)
        // Jobs in order of first appearance; the dictionary is only an index into `jobs`.
        var jobs: [(name: String, tasks: [Task], bad: Bool)] = []
        var index: [String: Int] = [:]
        func job(_ name: String) -> Int {
            if let i = index[name] { return i }
            index[name] = jobs.count
            jobs.append((name, [], false))
            return jobs.count - 1
        }
        // A skipped task row marks its whole job bad (a job with a task missing would be wrong, not just short).
        let (_, skipped) = try csv.forEachRow(skipBadRows: skipBadRows, onSkip: { fields in
            if let name = fields.first, !name.isEmpty { jobs[job(name)].bad = true }
        }) { row throws(InputError) in
            let name = row.text(0)
            guard !name.isEmpty else { throw row.fail(0, "a non-empty job name") }
            let instances = try row.number(2, "a number of instances >= 0")
            guard instances >= 0 else { throw row.fail(2, "a number of instances >= 0") }
            let start = try row.optionalNumber(4, "Unix seconds or empty")
            let end = try row.optionalNumber(5, "Unix seconds or empty")
            let gpu = try row.optionalNumber(8, "a percentage of one GPU >= 0 or empty") ?? 0
            guard gpu >= 0 else { throw row.fail(8, "a percentage of one GPU >= 0 or empty") }
            let task = Task(instances: instances, status: row.text(3), start: start, end: end, gpuPercent: gpu,
                            gpuType: RawCSVRow.isMissing(row.text(9)) ? "" : row.text(9))
            jobs[job(name)].tasks.append(task)
        }
        var rows: [CanonicalTraceRow] = []
        var dropped = RuleTally([dropBadTask, dropNoGPU, dropMissingTimes, dropNoDuration])
        var adjusted = RuleTally([adjustMixedTypes, adjustUnknownType, adjustMixedStatus])
        for j in jobs {
            if j.bad { dropped.count(dropBadTask); continue }
            let percent = j.tasks.reduce(0) { $0 + $1.instances * $1.gpuPercent }
            // The tolerance keeps e.g. 3 × 33.33% at 1 GPU instead of rounding float noise up.
            let gpus = Int((percent / 100 - 1e-9).rounded(.up))
            if gpus <= 0 { dropped.count(dropNoGPU); continue }
            let starts = j.tasks.compactMap(\.start)
            let ends = j.tasks.compactMap(\.end)
            guard starts.count == j.tasks.count, ends.count == j.tasks.count, let start = starts.min(), let end = ends.max()
            else { dropped.count(dropMissingTimes); continue }
            guard end > start else { dropped.count(dropNoDuration); continue }
            var type: String?
            let types = Set(j.tasks.map(\.gpuType))
            if types.count > 1 {
                adjusted.count(adjustMixedTypes)
            } else if let t = types.first, !t.isEmpty, t != GPUTypeNames.pai2020AnyType {
                type = GPUTypeNames.catalogName(t, in: GPUTypeNames.pai2020)
                if type == nil { adjusted.count(adjustUnknownType) }
            }
            let statuses = Set(j.tasks.map(\.status).filter { !$0.isEmpty })
            var status: String?
            if statuses.count == 1 {
                status = statuses.first
            } else if statuses.count > 1 {
                adjusted.count(adjustMixedStatus)
                status = statuses.contains("Failed") ? "Failed" : statuses.sorted().joined(separator: "+")
            }
            rows.append(CanonicalTraceRow(
                jobID: j.name, submitTime: start, gpuCount: gpus, duration: end - start, gpuType: type, status: status))
        }
        return ImportResult(rows: rows, rawRecords: jobs.count, dropped: dropped, adjusted: adjusted, skipped: skipped)
    }
}

/// Converts an Alibaba cluster-trace-gpu-v2023 pod list (`openb_pod_list_*.csv`).
///
/// Columns (by name): `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,
/// deletion_time,scheduled_time`. Rules (shared/traces/alibaba-openb-2023/README.md): job ID = `name`;
/// submit = `creation_time`; duration = `deletion_time − scheduled_time` (how long the pod held its GPUs);
/// GPUs = `num_gpu`; status = `pod_phase`; `gpu_milli` kept for 1-GPU pods that ask for part of a GPU;
/// GPU type = `gpu_spec` mapped to catalog names, left empty (and counted) when it lists several types or an
/// unknown one. Dropped and counted, in this order: CPU-only pods, never-scheduled pods, pods with no
/// deletion time, pods whose deletion is not after their scheduling.
public enum OpenBImporter: TraceImporter {
    /// Drop rule: CPU-only pod.
    public static let dropCPUOnly = "num_gpu = 0 (CPU-only pod)"
    /// Drop rule: never scheduled.
    public static let dropNeverScheduled = "never scheduled (no scheduled_time)"
    /// Drop rule: not deleted.
    public static let dropNoDeletion = "no deletion_time"
    /// Drop rule: no run time.
    public static let dropNoDuration = "deletion_time <= scheduled_time (no run time)"
    /// Adjustment rule: several allowed types.
    public static let adjustSeveralTypes = "gpu_spec lists several types (gpu_type left empty)"
    /// Adjustment rule: an unknown type.
    public static let adjustUnknownType = "gpu_spec is not a known GPU type (gpu_type left empty)"

    /// Converts one openb pod list.
    public static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult {
        let csv = try RawCSV(text: text, file: file)
        let name = try csv.column("name")
        let numGPU = try csv.column("num_gpu")
        let gpuMilli = try csv.column("gpu_milli")
        let gpuSpec = try csv.column("gpu_spec")
        let phase = try csv.column("pod_phase")
        let creation = try csv.column("creation_time")
        let deletion = try csv.column("deletion_time")
        let scheduled = try csv.column("scheduled_time")
        var rows: [CanonicalTraceRow] = []
        var dropped = RuleTally([dropCPUOnly, dropNeverScheduled, dropNoDeletion, dropNoDuration])
        var adjusted = RuleTally([adjustSeveralTypes, adjustUnknownType])
        let (count, skipped) = try csv.forEachRow(skipBadRows: skipBadRows) { row throws(InputError) in
            let id = row.text(name)
            guard !id.isEmpty else { throw row.fail(name, "a non-empty pod name") }
            let gpus = try row.integer(numGPU, "an integer >= 0")
            guard gpus >= 0 else { throw row.fail(numGPU, "an integer >= 0") }
            let milli = RawCSVRow.isMissing(row.text(gpuMilli)) ? 0 : try row.integer(gpuMilli, "an integer or empty")
            let created = try row.number(creation, "a number of seconds")
            let deleted = try row.optionalNumber(deletion, "a number of seconds or empty")
            let start = try row.optionalNumber(scheduled, "a number of seconds or empty")
            if gpus == 0 { return dropped.count(dropCPUOnly) }
            guard let start else { return dropped.count(dropNeverScheduled) }
            guard let deleted else { return dropped.count(dropNoDeletion) }
            guard deleted > start else { return dropped.count(dropNoDuration) }
            var type: String?
            let spec = row.text(gpuSpec)
            if spec.contains("|") {
                adjusted.count(adjustSeveralTypes)
            } else if !spec.isEmpty {
                type = GPUTypeNames.catalogName(spec, in: GPUTypeNames.openb)
                if type == nil { adjusted.count(adjustUnknownType) }
            }
            let status = row.text(phase)
            rows.append(CanonicalTraceRow(
                jobID: id, submitTime: created, gpuCount: gpus, duration: deleted - start, gpuType: type,
                status: status.isEmpty ? nil : status, gpuMilli: gpus == 1 && milli > 0 && milli < 1000 ? milli : nil))
        }
        return ImportResult(rows: rows, rawRecords: count, dropped: dropped, adjusted: adjusted, skipped: skipped)
    }
}

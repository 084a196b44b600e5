/// The raw trace formats `schedlab trace import` converts.
public enum TraceImportFormat: String, CaseIterable, Sendable {
    /// Microsoft ITP clusters (ElasticFlow raw traces), `job_id,submission_time,duration,num_gpu`.
    case itp
    /// Alibaba cluster-trace-gpu-v2023 ("openb") pod list.
    case openb
    /// Microsoft Philly `cluster_job_log` (JSON).
    case philly
    /// SenseTime Helios `cluster_log.csv`.
    case helios
    /// Alibaba PAI 2020 `pai_task_table.csv` (no header).
    case pai2020
    /// SchedLab's own canonical CSV, validated and normalized.
    case canonical
    /// Pollux (OSDI'21) artifact workloads, `name,time,application,num_replicas,batch_size`.
    case pollux

    /// The converter for this format.
    public var importer: any TraceImporter.Type {
        switch self {
        case .itp: ITPImporter.self
        case .openb: OpenBImporter.self
        case .philly: PhillyImporter.self
        case .helios: HeliosImporter.self
        case .pai2020: PAI2020Importer.self
        case .canonical: CanonicalImporter.self
        case .pollux: PolluxImporter.self
        }
    }

    /// One line describing the expected input.
    public var summary: String {
        switch self {
        case .itp: "Microsoft ITP/ElasticFlow clusterNN.csv (job IDs get the file stem as prefix)"
        case .openb: "Alibaba cluster-trace-gpu-v2023 openb_pod_list_*.csv"
        case .philly: "Microsoft Philly cluster_job_log (JSON array of jobs)"
        case .helios: "SenseTime Helios cluster_log.csv"
        case .pai2020: "Alibaba PAI 2020 pai_task_table.csv (no header)"
        case .canonical: "SchedLab canonical trace CSV (validated and normalized)"
        case .pollux: "Pollux OSDI'21 artifact simulator/workloads*/workload-N.csv (jobs train their zoo model to its epoch cap)"
        }
    }

    /// Converts the text of one file in this format.
    public func convert(text: String, file: String, skipBadRows: Bool = false) throws(InputError) -> ImportResult {
        try importer.convert(text: text, file: file, skipBadRows: skipBadRows)
    }

    /// Reads and converts each file, merging the results into one trace (rebased together when written).
    public func convert(paths: [String], skipBadRows: Bool = false) throws(InputError) -> ImportResult {
        var result = ImportResult(rows: [], rawRecords: 0)
        for path in paths {
            result.merge(try convert(text: TraceReader.readText(path: path), file: path, skipBadRows: skipBadRows))
        }
        return result
    }
}

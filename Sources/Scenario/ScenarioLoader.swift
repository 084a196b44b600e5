import ClusterModel
import Models
import Network
import Crypto
import Engine
import Foundation
import Performance
import Scheduling
import SimRandom
import Workload
import YAMLInput
import Yams

/// Reads a scenario file, validates everything in it, and builds the cluster and jobs.
///
/// Every problem becomes an `InputError` naming the file, the line and field path (or the trace's
/// file:line and column), and what was expected. Nothing is simulated or written before this succeeds.
public enum ScenarioLoader {
    /// Loads the scenario at `path`.
    /// - Parameters:
    ///   - path: the scenario file; relative paths inside it (trace, hardware profile) resolve against its directory.
    ///   - overrides: `--set PATH=VALUE` changes applied to the YAML tree before decoding, in order.
    ///   - seed: overrides the file's `seed:`.
    ///   - policyOverride: overrides the file's policy (with default parameters).
    ///   - placementOverride: overrides the file's placement strategy.
    ///   - fallbackSeed: called when neither the file nor `seed` gives a seed.
    /// - Returns: the validated scenario, ready to simulate.
    /// - Throws: `InputError` naming the file, line and field of the first problem.
    public static func load(
        path: String, overrides: [ScenarioOverride] = [], seed: UInt64? = nil, policy policyOverride: String? = nil,
        placement placementOverride: String? = nil, fallbackSeed: () -> UInt64 = { 1 }
    ) throws(InputError) -> Scenario {
        try ScenarioFile.requireRegular(path)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError(file: path, message: "cannot read the scenario file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, message: "the scenario file is not UTF-8 text")
        }
        return try load(text: text, path: path, overrides: overrides, seed: seed, policy: policyOverride,
                        placement: placementOverride, fallbackSeed: fallbackSeed)
    }

    /// Loads a scenario from its YAML text as if it had been read from `path`: errors name `path`, the default
    /// name is its file name, and relative trace and hardware-profile paths resolve against its directory.
    /// `schedlab rerun` loads recorded scenario text this way. Other parameters as in `load(path:...)`.
    public static func load(
        text: String, path: String, overrides: [ScenarioOverride] = [], seed: UInt64? = nil,
        policy policyOverride: String? = nil, placement placementOverride: String? = nil,
        fallbackSeed: () -> UInt64 = { 1 }
    ) throws(InputError) -> Scenario {
        // `--policy external` is `policy.name` set in the tree with empty params, so that the external policy's
        // `command` and `params` can follow as `--set` overrides, checked as if the file had them.
        var overrides = overrides
        var policyOverride = policyOverride
        if policyOverride == ExternalPolicy.name {
            overrides = [try ScenarioOverride("policy.name=\(ExternalPolicy.name)"), try ScenarioOverride("policy.params={}")] + overrides
            policyOverride = nil
        }
        var fileTree: Node?
        // `--policy NAME` swaps the policy after the file's (overridden) parameters were read for the file's policy,
        // and runs NAME with its defaults: a `--set` of policy.params meant for NAME would be read for the wrong
        // policy, or dropped. Said in every error it causes, and refused when it would be dropped.
        let paramsOverride = policyOverride == nil ? nil
            : overrides.last { $0.covers(field: "policy.params") || $0.isInside(field: "policy.params") }
        func attributed(_ e: InputError) -> InputError {
            var e = attributedToOverride(e)
            // (Unless the file, as overridden, already names that policy: then its parameters are read for it.)
            let named = overrides.last { $0.path == "policy.name" }.map { $0.value.trimmingCharacters(in: .whitespaces) }
                ?? fileTree?["policy"]?["name"]?.string
            if let o = paramsOverride, let policyOverride, named != policyOverride, e.field?.hasPrefix("policy.params") == true {
                e.message += " (\(o.text) was read for the file's policy: --policy runs \(policyOverride) with its default "
                    + "parameters; use --set policy.name=\(policyOverride) instead of --policy to give it parameters)"
            }
            return e
        }
        /// An error at a field an override set, or created on its way, is the override's, not the file's; one at
        /// a field of the file above an override is still the file's, but the override may be why.
        func attributedToOverride(_ e: InputError) -> InputError {
            guard e.file == path, let field = e.field else { return e }
            if let o = overrides.last(where: { $0.covers(field: field) }) {
                return InputError(file: "--set \(o.text)", field: field, message: e.message)
            }
            let inside = overrides.filter { $0.isInside(field: field) }
            guard !inside.isEmpty else { return e }
            if let fileTree, !ScenarioOverride.exists(field: field, in: fileTree) {
                return InputError(file: "--set \(inside.last!.text)", field: field, message: e.message)
            }
            var located = e
            located.message += " (with \(inside.map { "--set \($0.text)" }.joined(separator: ", ")))"
            return located
        }
        var root: Node?
        /// The scenario's own tree after overrides, before a workload include is merged in.
        var ownTree: Node?
        var include: WorkloadInclude?
        /// An error located in the merged tree, re-located to the included file when the field comes from there.
        func located(_ e: InputError) -> InputError {
            attributed(include?.attribute(e, scenarioPath: path, own: ownTree) ?? e)
        }
        var effectiveText = text
        let config: ScenarioConfig
        do {
            root = try YAMLInput.compose(yaml: text, file: path)
            fileTree = root
            guard var tree = root else { throw InputError(file: path, message: "the scenario file is empty") }
            if !overrides.isEmpty {
                for o in overrides { tree = try o.applied(to: tree) }
                root = tree
                // What is recorded and hashed is the scenario that ran, so a rerun needs no overrides.
                effectiveText = try Yams.serialize(node: tree, width: -1, allowUnicode: true)
            }
            ownTree = tree
            (tree, include) = try WorkloadInclude.expand(tree, scenarioPath: path)
            root = tree
            config = try YAMLDecoder().decode(ScenarioConfig.self, from: tree)
        } catch {
            throw located(DecodingErrorMapping.inputError(error, file: path, root: root))
        }
        func fail(_ field: String, _ message: String) -> InputError {
            let keys = field.split(separator: ".").map { AnyCodingKey(stringValue: String($0)) as CodingKey }
            return located(InputError(file: path, line: DecodingErrorMapping.line(of: keys, in: root), field: field, message: message))
        }

        let masterSeed = seed ?? config.seed ?? fallbackSeed()
        var hasher = SHA256()
        hasher.update(data: Data(effectiveText.utf8))
        if let include { hasher.update(data: Data(include.text.utf8)) }
        var profile: HardwareProfile?
        if let file = config.cluster.hardwareProfile {
            let base = URL(fileURLWithPath: path).deletingLastPathComponent()
            let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : base.appendingPathComponent(file)
            // A device or FIFO would be read forever: only a regular file is a profile.
            if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType, type != .typeRegular {
                throw fail("cluster.hardware_profile", "\(url.path) is not a regular file; expected the JSON written by `schedlab hw calibrate -o`")
            }
            do {
                hasher.update(data: try Data(contentsOf: url))
                profile = try HardwareProfile.read(from: url)
            } catch {
                throw fail("cluster.hardware_profile", "cannot read the hardware profile \(url.path) (\(error)); "
                    + "expected the JSON written by `schedlab hw calibrate -o`")
            }
            guard profile?.catalogMatch != nil else {
                throw fail("cluster.hardware_profile", "the profile of '\(profile!.gpuName)' matches no catalog GPU type, so it overrides nothing")
            }
        }
        /// A template with the profiled GPU type's catalog figures replaced by the measured ones.
        func profiled(_ t: NodeTemplate) -> NodeTemplate {
            guard let profile, t.gpuType.name == profile.catalogMatch else { return t }
            return t.with(gpuType: profile.applied(to: t.gpuType))
        }
        let topology: Topology
        var jobs: [JobSpec]
        var skipped: [InputError] = []
        /// Reads and parses the trace at `file` (relative to the scenario), hashing its bytes; an unreadable file is
        /// an error at `field` (or of the trace file itself without one), a bad row one at the trace's line.
        func readTrace(_ file: String, field: String?, skipBadRows: Bool) throws(InputError) -> (path: String, parsed: TraceReader.Parsed) {
            let base = URL(fileURLWithPath: path).deletingLastPathComponent()
            let tracePath = file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
            // The trace's text as bytes (hashed and parsed without decoding it into a `String`).
            let traceBytes: [UInt8]
            do { traceBytes = try TraceReader.readUTF8(path: tracePath) } catch {
                guard let field else { throw error }
                throw fail(field, "\(tracePath): \(error.message)")
            }
            hasher.update(data: traceBytes)
            return (tracePath, try TraceReader.parse(utf8: traceBytes, file: tracePath, skipBadRows: skipBadRows))
        }
        let budgetGB = config.limits.memoryGB
        /// Rejects a cluster and job count past the declared limits or the memory budget, before either is built.
        func checkSize(nodes: Double, gpus: Double, jobs: Double, clusterField: String, jobsField: String) throws(InputError) {
            if nodes > Double(InputLimits.maxNodes) {
                throw fail(clusterField, "the cluster would have \(ValidRange.text(nodes.rounded())) nodes; expected at most \(InputLimits.maxNodes)")
            }
            if gpus > Double(InputLimits.maxClusterGPUs) {
                throw fail(clusterField, "the cluster would have \(ValidRange.text(gpus.rounded())) GPUs; expected at most \(InputLimits.maxClusterGPUs)")
            }
            if let problem = ResourceEstimate.problem(nodes: nodes, gpus: gpus, jobs: jobs, budgetGB: budgetGB) {
                let cluster = ResourceEstimate.bytes(nodes: nodes, gpus: gpus, jobs: 0)
                throw fail(cluster >= ResourceEstimate.bytes(nodes: 0, gpus: 0, jobs: jobs) ? clusterField : jobsField, problem)
            }
        }
        var racksSize: (nodes: Double, gpus: Double) = (0, 0)
        if let racks = config.cluster.racks {
            // Doubles: each group's count is bounded, but a file may list many groups; no sum can overflow a Double.
            for rack in racks {
                for group in rack.nodes {
                    racksSize.nodes += Double(group.count)
                    racksSize.gpus += Double(group.count) * Double(group.template.gpuCount)
                }
            }
            try checkSize(nodes: racksSize.nodes, gpus: racksSize.gpus, jobs: 0, clusterField: "cluster.racks", jobsField: "workload")
        }
        switch config.workload {
        case .synthetic(let synthetic):
            guard let racks = config.cluster.racks else {
                throw fail("cluster.from_trace", "a cluster can be sized from a trace only for a trace workload; give 'racks'")
            }
            topology = buildTopology(racks, adjust: profiled)
            if let t = synthetic.gpuType, topology.typeIndex(named: t) == nil {
                throw fail("workload.synthetic.gpu_type", "the cluster has no '\(t)' GPUs (it has \(topology.gpuTypes.map(\.name).joined(separator: ", ")))")
            }
            var sample: EmpiricalJobSample?
            if let s = synthetic.sample {
                let field = "workload.synthetic.sample.trace"
                let (tracePath, parsed) = try readTrace(s.trace, field: field, skipBadRows: s.onBadRow == "skip")
                skipped += parsed.skipped
                sample = EmpiricalJobSample(jobs: s.selection.apply(to: parsed.jobs).jobs, durationSmoothing: s.durationSmoothing)
                if sample == nil {
                    throw fail(field, "no row of \(tracePath) is selected by workload.synthetic.sample's window and filter")
                }
            }
            var replay: ArrivalReplaySource?
            if let file = synthetic.arrivals.trace {
                let field = "workload.synthetic.arrivals.trace"
                let (tracePath, parsed) = try readTrace(file, field: field, skipBadRows: false)
                let window = synthetic.arrivals.window ?? WindowConfig()
                let selected = TraceSelection(window: window, filter: synthetic.arrivals.filter ?? FilterConfig()).apply(to: parsed.jobs)
                let times = selected.jobs.map(\.submitTime.seconds)
                let span = window.end.map { $0 - (window.start ?? 0) } ?? (times.last ?? 0)
                guard !times.isEmpty, span > 0 else {
                    throw fail(field, times.isEmpty ? "no job of \(tracePath) is selected by the arrivals' window and filter"
                        : "the replayed arrivals of \(tracePath) all fall at one instant; give a window with end_s")
                }
                replay = ArrivalReplaySource(times: times, spanSeconds: span)
            }
            let spec = synthetic.spec(sample: sample, replay: replay)
            let expectedJobs = try checkSynthetic(spec, topology: topology, fail: fail)
            try checkSize(nodes: racksSize.nodes, gpus: racksSize.gpus, jobs: expectedJobs, clusterField: "cluster.racks",
                          jobsField: synthetic.jobs != nil ? "workload.synthetic.jobs" : synthetic.spanHours != nil ? "workload.synthetic.span_h" : "workload.synthetic.arrivals")
            do {
                jobs = try spec.generate(streams: RandomStreams(master: masterSeed), topology: topology)
            } catch {
                throw fail(synthetic.spanHours != nil ? "workload.synthetic.span_h" : "workload.synthetic.arrivals", error.description)
            }
            if let problem = JobSetup.problems(jobs: jobs, topology: topology).first {
                if sample != nil {
                    throw fail("workload.synthetic.sample", "\(problem); the sampled trace has jobs this cluster cannot run (use its filter)")
                }
                throw fail("workload.synthetic.gpus", "\(problem); bound the GPU-count distribution by what the cluster can hold")
            }
        case .trace(let trace):
            let (tracePath, parsed) = try readTrace(trace.file, field: nil, skipBadRows: trace.skipBadRows)
            skipped = parsed.skipped
            if let last = parsed.jobs.last?.submitTime.seconds,
               (last - (trace.window.start ?? 0)) * trace.timeScale > SyntheticWorkload.maxArrivalSeconds {
                throw fail("workload.trace.time_scale", "submit times × \(trace.timeScale) run past the latest the simulated clock allows "
                    + "(\(SyntheticWorkload.maxArrivalSeconds) s)")
            }
            let selected = trace.selection.apply(to: parsed.jobs)
            guard !selected.jobs.isEmpty else {
                throw InputError(file: tracePath, message: parsed.jobs.isEmpty
                    ? "the trace has no jobs" : "no job of the trace is selected by workload.trace's window and filter (\(path))")
            }
            let selectedJobs = trace.models.isEmpty
                ? selected.jobs
                : TraceModelAssignment(models: trace.models).apply(to: selected.jobs, streams: RandomStreams(master: masterSeed))
            if let racks = config.cluster.racks {
                try checkSize(nodes: racksSize.nodes, gpus: racksSize.gpus, jobs: Double(selectedJobs.count),
                              clusterField: "cluster.racks", jobsField: "workload.trace.file")
                topology = buildTopology(racks, adjust: profiled)
            } else {
                let sizing = config.cluster.fromTrace!
                let template = profiled(sizing.template)
                let stats = TraceStats(jobs: selectedJobs)
                let needed = max(Double(stats.peakConcurrentGPUs) * sizing.capacity, Double(stats.maxGPUs))
                // Checked as a Double first: a huge peak × capacity must be an error, not a trap converting to Int.
                let nodeCount = max(1, (needed / Double(template.gpuCount)).rounded(.up))
                try checkSize(nodes: nodeCount, gpus: nodeCount * Double(template.gpuCount), jobs: Double(selectedJobs.count),
                              clusterField: "cluster.from_trace", jobsField: "workload.trace.file")
                let nodes = Int(nodeCount)
                topology = Topology(racks: stride(from: 0, to: nodes, by: sizing.nodesPerRack).enumerated().map { r, first in
                    (name: "rack\(r)", nodes: Array(repeating: template, count: min(sizing.nodesPerRack, nodes - first)))
                })
            }
            if let problem = JobSetup.problems(jobs: selectedJobs, topology: topology).first {
                let column: String
                switch problem.cause {
                case .gpuType: column = "gpu_type"
                case .model: column = trace.models.isEmpty ? "model" : "model (assigned by workload.trace.assign_models)"
                case .gpuCount: column = "num_gpus"
                }
                throw InputError(file: tracePath, line: parsed.lines[selected.sourceIndex[problem.job.index]], field: column,
                                 message: "\(problem) (cluster from \(path))")
            }
            jobs = selectedJobs
        }
        // Busiest-link samples are taken every link_sample_s while links are busy: bound their number over the arrivals.
        if let net = config.network, net.flow, let last = jobs.map(\.submitTime).max() {
            let samples = last.seconds / net.linkSampleSeconds
            if samples > Self.maxLinkSamples {
                throw fail("network.link_sample_s", "the arrivals span \(ValidRange.text(last.seconds.rounded())) s: sampling every "
                    + "\(net.linkSampleSeconds) s takes about \(ValidRange.text(samples.rounded())) samples; expected at most "
                    + "\(ValidRange.text(Self.maxLinkSamples)) (link_sample_s >= \(ValidRange.text((last.seconds / Self.maxLinkSamples).rounded(.up))))")
            }
        }
        if let elastic = config.elastic {
            jobs = elastic.rule.apply(to: jobs, streams: RandomStreams(master: masterSeed), capacity: topology.gpuCount)
        }

        // Policy.
        var policy = config.policy.policy
        var policyName = config.policy.name
        if let override = policyOverride, override != policyName {
            if let o = paramsOverride {
                throw InputError(file: "--policy", message: "--policy runs \(override) with its default parameters, so --set \(o.text) "
                    + "would be ignored; use --set policy.name=\(override) instead of --policy to give it parameters")
            }
            guard let entry = PolicyCatalog.entry(override) else {
                throw InputError(file: "--policy", message: "unknown policy '\(override)'; expected one of: \(PolicyCatalog.names.joined(separator: ", "))")
            }
            do { policy = try entry.make(nil) } catch { throw InputError(file: "--policy", message: "\(error)") }
            policyName = override
        }

        var policyFiles: [String] = []
        if var external = policy as? ExternalPolicy {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            external.configuration.workingDirectory = directory.path
            policy = external
            policyFiles = try hashExternalPolicyFiles(config.policy, directory: directory, into: &hasher, fail: fail)
        }

        var placementName = config.policy.placement
        if let override = placementOverride {
            guard PlacementCatalog.make(override) != nil else {
                throw InputError(file: "--placement", message: "unknown placement '\(override)'; expected one of: \(PlacementCatalog.names.joined(separator: ", "))")
            }
            placementName = override
        }

        // The policy's parameters as the file wrote them (canonical YAML), recorded with each run.
        var parameters = ""
        if policyName == config.policy.name, let node = root?["policy"]?["params"] {
            parameters = (try? Yams.serialize(node: node, sortKeys: true).trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
        }

        var interconnect: Interconnect?
        if let net = config.network, net.flow {
            var fabric = net.fabric
            if let file = net.fabricProfile {
                fabric = try fittedFabric(
                    file, over: fabric, overlap: net.overlapKind, scenarioPath: path, hasher: &hasher, fail: fail)
            }
            interconnect = Interconnect(
                graph: LinkGraph(topology: topology, spec: fabric), gamma: net.gamma,
                collectives: CollectiveOptions(smallMessageBytes: net.smallMessageBytes),
                linkSampleInterval: net.linkSampleSeconds, linksPerSample: net.busiestLinks, dutyCycle: net.dutyCycle,
                overlap: net.overlapKind)
        }

        // Every job's run time at its reference placement under the speed model the run will use (slow links stretch
        // iteration jobs): past the clock's headroom it is an input error here, not a trap in `run`.
        let reference = Simulation.referenceSeconds(topology: topology, jobs: jobs, interconnect: interconnect)
        if let i = reference.indices.first(where: { !(reference[$0] <= InputLimits.maxDurationSeconds * 2) }) {
            throw fail(config.network != nil ? "network" : "workload",
                "job \(jobs[i].name) would run about \(DistributionConfig.number(reference[i])) s at its reference placement with these "
                + "link parameters; expected at most \(ValidRange.text(InputLimits.maxDurationSeconds * 2)) s (raise the link bandwidths or efficiencies, or shorten the job)")
        }
        // Failures: a job restarts from its last checkpoint after each failure of one of its nodes or GPUs. When failures
        // come much faster than a job's work between checkpoints, it (almost) never finishes and `run` spins forever;
        // with exponential times between failures a stretch of s seconds on n nodes succeeds with probability
        // exp(-n·s/MTBF), so more than e^maxFailureExponent expected attempts is rejected (means for other families).
        if let failures = config.failures {
            let interval = config.checkpoint?.intervalSeconds
            let gpusPerNode = Double(topology.gpuCount) / Double(max(1, topology.nodeCount))
            for (i, job) in jobs.enumerated() {
                let stretch = min(reference[i], interval ?? .infinity)
                let nodes = (Double(job.gpuCount) / gpusPerNode).rounded(.up)
                var exponent = 0.0
                var field = "failures.node.mtbf_h"
                if let node = failures.node { exponent += nodes * stretch / (node.mtbfHours.distribution.mean * 3600) }
                if let gpu = failures.gpu {
                    let e = Double(job.gpuCount) * stretch / (gpu.mtbfHours.distribution.mean * 3600)
                    if e > exponent { field = "failures.gpu.mtbf_h" }
                    exponent += e
                }
                if !(exponent <= Self.maxFailureExponent) {
                    throw fail(field, "job \(job.name) runs \(DistributionConfig.number(stretch)) s between checkpoints on \(Int(nodes)) node(s) (\(job.gpuCount) GPUs), "
                        + "so it would need about e^\(DistributionConfig.number(exponent)) attempts to finish before a failure; "
                        + "expected at most e^\(Int(Self.maxFailureExponent)) (a longer mtbf_h, or checkpoint.interval_s)")
                }
            }
        }
        let name = config.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        if let tenants = config.tenants { jobs = tenants.table.apply(to: jobs) }

        var scenario = Scenario(
            path: path, text: effectiveText, name: name, description: config.description, seed: masterSeed, hash: hash, topology: topology,
            jobs: jobs, policyName: policyName, policy: policy, policyParameters: parameters,
            placementName: placementName, interconnect: interconnect, skippedRows: skipped)
        scenario.policyFiles = policyFiles
        if let checkpoint = config.checkpoint { scenario.transitionCosts = checkpoint.costs }
        if let sharing = config.sharing { scenario.sharing = sharing.model }
        if let realloc = config.reallocation, realloc.mode == "live" {
            scenario.transitionCosts = LiveReshardingCosts(
                topology: topology, reinitSeconds: realloc.reinitSeconds, base: scenario.transitionCosts)
        }
        scenario.variants = config.variants.variants
        if let failures = config.failures {
            scenario.failures = failures.model(seed: masterSeed, checkpointIntervalSeconds: config.checkpoint?.intervalSeconds)
        }
        return scenario
    }

    /// The variants of the scenario at `path` (its `variants:` section), in name order.
    ///
    /// Read from the decoded YAML alone, without building the scenario: a `--variant` run or a regression check then
    /// reads its trace once, not twice (the whole ITP trace's parse was a fifth of a preemptive policy's run). The
    /// variant itself is always loaded in full by `load(path:overrides:)`, which checks everything. A file that does
    /// not decode is loaded in full here, so that its error is exactly `load`'s.
    public static func variants(ofScenarioAt path: String) throws(InputError) -> [(name: String, overrides: [ScenarioOverride])] {
        if let decoded = try? decodedConfig(path: path) { return decoded.variants.variants }
        return try load(path: path).variants
    }

    /// The scenario file's YAML decoded (its workload include merged), or nil if any step fails.
    private static func decodedConfig(path: String) throws -> ScenarioConfig {
        try ScenarioFile.requireRegular(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8), let tree = try YAMLInput.compose(yaml: text, file: path) else {
            throw InputError(file: path, message: "not a YAML scenario")
        }
        let (merged, _) = try WorkloadInclude.expand(tree, scenarioPath: path)
        return try YAMLDecoder().decode(ScenarioConfig.self, from: merged)
    }

    /// The overrides of the variant `name` of the scenario at `path` (its `variants:` section); an input error
    /// listing the variants when it has no such variant.
    public static func overrides(ofVariant name: String, inScenarioAt path: String) throws(InputError) -> [ScenarioOverride] {
        let variants = try variants(ofScenarioAt: path)
        guard let v = variants.first(where: { $0.name == name }) else {
            let known = variants.map(\.name)
            throw InputError(file: path, field: "variants", message: known.isEmpty
                ? "the scenario has no variants; expected a 'variants:' section naming '\(name)'"
                : "no variant '\(name)'; expected one of: \(known.joined(separator: ", "))")
        }
        return v.overrides
    }

    /// Hashes an external policy's files into the scenario hash, so that the run's provenance covers the policy's
    /// code: each command argument that names an existing regular file (relative to the scenario's directory, where
    /// the process runs; the program itself only when written as a path, so `python3` is not hashed), then each of
    /// `policy.files`, which must exist. Returns the resolved paths, in that order.
    static func hashExternalPolicyFiles(
        _ config: PolicyConfig, directory: URL, into hasher: inout SHA256, fail: (String, String) -> InputError
    ) throws(InputError) -> [String] {
        func resolve(_ p: String) -> URL { p.hasPrefix("/") ? URL(fileURLWithPath: p) : directory.appendingPathComponent(p) }
        func isFile(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        var hashed: [String] = []
        func add(_ url: URL, written: String, field: String) throws(InputError) {
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw fail(field, "cannot read \(url.path) (\(error.localizedDescription)); expected a file the policy process reads")
            }
            // Each file's name as written (not where the checkout is) and length before its bytes, so that moving
            // bytes from one file to the next changes the hash.
            hasher.update(data: Data("\(written)\n\(data.count)\n".utf8))
            hasher.update(data: data)
            hashed.append(url.path)
        }
        for (i, argument) in (config.command ?? []).enumerated() where i > 0 || argument.contains("/") {
            let url = resolve(argument)
            if isFile(url) { try add(url, written: argument, field: "policy.command") }
        }
        for (i, file) in (config.files ?? []).enumerated() {
            let url = resolve(file)
            guard isFile(url) else {
                throw fail("policy.files", "entry \(i): no file \(url.path); expected files the policy process reads (relative to the scenario's directory)")
            }
            try add(url, written: file, field: "policy.files")
        }
        return hashed
    }

    /// The topology of explicitly listed racks.
    static func buildTopology(_ racks: [RackConfig], adjust: (NodeTemplate) -> NodeTemplate) -> Topology {
        Topology(racks: racks.enumerated().map { r, rack in
            (name: rack.name ?? "rack\(r)", nodes: rack.nodes.flatMap { Array(repeating: adjust($0.template), count: $0.count) })
        })
    }

    /// Rejects synthetic recipes that could draw an impossible job, whatever the seed: a categorical GPU count
    /// larger than the cluster, or a model no GPU (of the required type) has the memory for.
    /// Returns the number of jobs the recipe is expected to generate (for the memory estimate).
    @discardableResult
    static func checkSynthetic(
        _ spec: SyntheticWorkload, topology: Topology, fail: (String, String) -> InputError
    ) throws(InputError) -> Double {
        let eligible = topology.gpuTypes.indices.filter { spec.gpuType == nil || topology.gpuTypes[$0].name == spec.gpuType }
        for (index, weight) in spec.models where weight > 0 {
            let model = ModelZoo.all[index]
            if !eligible.contains(where: { topology.gpuTypes[$0].memoryGB >= model.memoryGB }) {
                throw fail("workload.synthetic.models",
                    "no GPU in the cluster can run it: model '\(model.name)' needs \(Int(model.memoryGB)) GB per GPU "
                    + "(\(topology.gpuTypes.map { "\($0.name) \(Int($0.memoryGB)) GB" }.joined(separator: ", ")))")
            }
        }
        // The largest GPU count the distribution (or the sample) can yield, where it has one.
        let largest = spec.sample.map { Double($0.maxGPUs) } ?? largestValue(spec.gpus)
        let field = spec.sample == nil ? "workload.synthetic.gpus" : "workload.synthetic.sample"
        let capacity = eligible.reduce(0) { $0 + topology.gpuCount(ofType: $1) }
        if let largest, largest.rounded() > Double(capacity) {
            throw fail(field, "jobs of \(Int(min(largest, 1e15).rounded())) GPUs can be drawn but the cluster has only \(capacity) GPUs they can use")
        }
        // The mean rate, and how many jobs over how long it implies: bounded before anything is drawn, whatever the seed.
        let arrivals = "workload.synthetic.arrivals"
        if case .load = spec.arrivals.rate, !(spec.meanGPUSeconds.isFinite && spec.meanGPUSeconds > 0) {
            throw fail(spec.sample == nil ? "workload.synthetic.duration_s" : "workload.synthetic.sample",
                       "a load needs a finite mean GPU-time per job, got \(spec.meanGPUSeconds) s (a pareto shape <= 1 has no finite mean)")
        }
        let rate = spec.ratePerSecond(clusterGPUs: topology.gpuCount)
        guard rate.isFinite && rate > 0 else { throw fail(arrivals, "the mean arrival rate comes to \(rate) jobs/s; expected a finite rate > 0") }
        var extent = spec.expectedExtent(ratePerSecond: rate)
        // A job count is its own bound (checked where decoded); a span or a replay bounds the count only on average.
        var countIsRandom = spec.jobCount == nil
        if case .replay(let source) = spec.arrivals.process {
            // A replay draws every copy of the trace before the job count or span cuts it: bound that, not the cut.
            extent.jobs = max(extent.jobs, rate * source.spanSeconds)
            countIsRandom = true
        }
        if extent.spanSeconds > SyntheticWorkload.maxExpectedSpanSeconds {
            throw fail(arrivals, "at \(DistributionConfig.number(rate * 3600)) jobs/h the arrivals would span about "
                + "\(DistributionConfig.number(extent.spanSeconds / 31_557_600)) years; expected at most "
                + "\(DistributionConfig.number(SyntheticWorkload.maxExpectedSpanSeconds / 31_557_600)) years: raise the rate or lower 'jobs'")
        }
        if countIsRandom, extent.jobs > Double(SyntheticWorkload.maxJobs / 2) {
            throw fail(spec.spanSeconds != nil ? "workload.synthetic.span_h" : arrivals,
                "the arrivals would hold about \(DistributionConfig.number(extent.jobs.rounded())) jobs; expected at most "
                + "\(SyntheticWorkload.maxJobs / 2): shorten the span or lower the rate")
        }
        return min(extent.jobs, Double(spec.jobCount ?? SyntheticWorkload.maxJobs))
    }

    /// The largest failure exponent (failures expected per stretch of work between checkpoints) a job may face: e^10,
    /// about 22000 expected attempts, is already a job that finishes only by chance.
    static let maxFailureExponent = 10.0

    /// The most busiest-link samples a run may take over its arrivals' span (each is `busiest_links` rows).
    static let maxLinkSamples = 1e6

    /// The largest value `d` can draw, or nil when it is unbounded.
    static func largestValue(_ d: Distribution) -> Double? {
        switch d {
        case .categorical(let table): return zip(table.values, table.weights).filter { $0.1 > 0 }.map(\.0).max()
        case .constant(let v): return v
        case .uniform(_, let high): return high
        case .mixture(let m):
            let bounds = zip(m.components, m.weights.weights).filter { $0.1 > 0 }.map { largestValue($0.0) }
            return bounds.contains { $0 == nil } ? nil : bounds.compactMap { $0 }.max()
        default: return nil
        }
    }
}

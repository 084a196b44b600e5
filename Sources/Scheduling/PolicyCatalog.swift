/// The scheduling policies SchedLab ships. Adding a policy is one file in Policies/ plus one line here.
public enum PolicyCatalog {
    /// One catalog entry: name, one-line summary, documented parameters, and a factory that decodes them.
    public struct Entry: Sendable {
        /// Catalog name.
        public let name: String
        /// One-line description.
        public let summary: String
        /// Parameters as `name: meaning (default)`, for `schedlab info policies`.
        public let parameters: [String]
        /// Builds the policy from its scenario parameters (nil decoder: all defaults).
        public let make: @Sendable (Decoder?) throws -> any SchedulingPolicy
    }

    /// Every built-in policy, in listing order: each builds with default parameters.
    public static let all: [Entry] = [
        Entry(name: FIFOPolicy.name, summary: "first come, first served; the head of the queue blocks the rest",
              parameters: [], make: { d in FIFOPolicy(try d.map(NoParameters.init(from:)) ?? NoParameters()) }),
        Entry(name: SJFPolicy.name, summary: "shortest known duration first, non-preemptive",
              parameters: SJFPolicy.Parameters.documentation,
              make: { d in SJFPolicy(try d.map(SJFPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: EASYBackfillPolicy.name,
              summary: "FIFO with EASY backfilling: reserve for the head job, backfill jobs that do not delay it",
              parameters: EASYBackfillPolicy.Parameters.documentation,
              make: { d in EASYBackfillPolicy(try d.map(EASYBackfillPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: SRTFPolicy.name,
              summary: "preemptive shortest remaining time first; jobs that do not fit are skipped",
              parameters: SRTFPolicy.Parameters.documentation,
              make: { d in SRTFPolicy(try d.map(SRTFPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: TiresiasPolicy.name,
              summary: "Tiresias discretized 2D-LAS (2D-Gittins with order: gittins): preemptive, queues by attained GPU-time",
              parameters: TiresiasPolicy.Parameters.documentation,
              make: { d in TiresiasPolicy(try d.map(TiresiasPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: ThemisPolicy.name,
              summary: "finish-time fairness (Themis): leased GPUs go to the jobs with the worst finish-time ratio",
              parameters: ThemisPolicy.Parameters.documentation,
              make: { d in ThemisPolicy(try d.map(ThemisPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: GandivaPolicy.name,
              summary: "Gandiva: packs and time-slices jobs on shared GPUs when oversubscribed, migrates to undo sharing",
              parameters: GandivaPolicy.Parameters.documentation,
              make: { d in GandivaPolicy(try d.map(GandivaPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: OptimusPolicy.name,
              summary: "Optimus: every interval, GPUs go one at a time to the elastic job whose remaining time drops most",
              parameters: OptimusPolicy.Parameters.documentation,
              make: { d in OptimusPolicy(try d.map(OptimusPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: PolluxPolicy.name,
              summary: "Pollux: every interval, elastic GPU counts maximize the generalized mean of speed-ups (fairness p)",
              parameters: PolluxPolicy.Parameters.documentation,
              make: { d in PolluxPolicy(try d.map(PolluxPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: FabricPolicy.name,
              summary: "SchedLab's topology-aware elastic policy: grows jobs into idle GPUs when it pays, shrinks them to admit others",
              parameters: FabricPolicy.Parameters.documentation,
              make: { d in FabricPolicy(try d.map(FabricPolicy.Parameters.init(from:)) ?? .init()) }),
        Entry(name: GavelPolicy.name,
              summary: "Gavel: heterogeneity-aware time shares per GPU type from an LP (GLPK), realized in preemptive rounds",
              parameters: GavelPolicy.Parameters.documentation,
              make: { d in GavelPolicy(try d.map(GavelPolicy.Parameters.init(from:)) ?? .init()) }),
    ]

    /// The external policy: a process speaking SchedLab's line protocol. Not in `all`, the policies that run with
    /// default parameters: it is built from `policy.command` beside its parameters (the scenario's policy section),
    /// which a parameters decoder cannot see, so `make` only explains what is missing.
    public static let external = Entry(
        name: ExternalPolicy.name,
        summary: "a policy in another process (Python, ...) speaking SchedLab's line protocol (docs/external-policies.md)",
        parameters: ExternalPolicy.documentation,
        make: { _ in throw ExternalPolicy.needsCommand })

    /// The entry called `name` (a built-in policy or `external`), or nil.
    public static func entry(_ name: String) -> Entry? {
        name == external.name ? external : all.first { $0.name == name }
    }

    /// All names, the built-in policies' then `external`, for error messages.
    public static var names: [String] { all.map(\.name) + [external.name] }
}

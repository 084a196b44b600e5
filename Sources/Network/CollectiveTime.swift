// MARK: - Phase and collective times

/// How long one collective phase takes and what limits it.
public struct PhaseTime: Sendable, Equatable {
    /// What the phase does.
    public var kind: CollectivePhase.Kind
    /// Latency term: steps × α, seconds.
    public var latency: Double
    /// Transfer term: bytes per flow / the slowest flow's rate, seconds.
    public var transfer: Double
    /// The slowest flow's rate, bytes per second.
    public var rate: Double
    /// The link limiting the slowest flow, if known.
    public var bottleneck: LinkID?

    /// Creates a phase time.
    public init(kind: CollectivePhase.Kind, latency: Double, transfer: Double, rate: Double, bottleneck: LinkID? = nil) {
        self.kind = kind
        self.latency = latency
        self.transfer = transfer
        self.rate = rate
        self.bottleneck = bottleneck
    }

    /// latency + transfer, seconds.
    @inlinable public var total: Double { latency + transfer }
}

/// The time of a whole collective: its phases one after another.
public struct CollectiveTime: Sendable, Equatable {
    /// Each phase, in order.
    public var phases: [PhaseTime]

    /// Creates a collective time from its phases (none for a one-rank job).
    public init(phases: [PhaseTime]) { self.phases = phases }

    /// Σ phase totals, seconds (0 for a one-rank job).
    public var total: Double { phases.reduce(0) { $0 + $1.total } }

    /// The phase with the longest transfer term (first on ties), nil when there are no phases.
    public var slowestPhase: PhaseTime? {
        var best: PhaseTime?
        for p in phases where best == nil || p.transfer > best!.transfer { best = p }
        return best
    }
}

// MARK: - Timing a plan

extension AllReducePlan {
    /// Each flow's rate when the job runs alone, with the link that limits it.
    ///
    /// A flow's rate is min over its links of capacity / (number of the plan's flows on that link): its bottleneck
    /// bandwidth when only this job uses the fabric. The phase time takes the slowest flow, whose rate is the first
    /// level of progressive filling (min over links of capacity / count), so this equals what a `FlowNetwork`
    /// holding only `flows` gives (intra- and inter-node phases use disjoint links; reduce-scatter and all-gather
    /// share the same flows). Ties go to the lowest link ID.
    /// - Complexity: O(Σ|P|) over the plan's flows.
    public func uncontendedRates(on graph: LinkGraph) -> (rates: [Double], bottlenecks: [LinkID?]) {
        var count: [Int32: Int] = [:]  // lookup only, never iterated
        for f in flows { for l in f.path { count[l.raw, default: 0] += 1 } }
        var rates: [Double] = []
        var bottlenecks: [LinkID?] = []
        for f in flows {
            var best = Double.infinity
            var arg: LinkID?
            for l in f.path {
                let share = graph.capacities[l.index] / Double(count[l.raw]!)
                if share < best || (share == best && arg.map { l < $0 } == true) {
                    best = share
                    arg = l
                }
            }
            // A connection cap below every link share limits the flow by itself: no link is its bottleneck.
            if f.rateCap < best {
                best = f.rateCap
                arg = nil
            }
            rates.append(best)
            bottlenecks.append(arg)
        }
        return (rates, bottlenecks)
    }

    /// Phase and total times when the job is alone on the fabric (`uncontendedRates`).
    ///
    /// Equals the closed forms of `AlphaBeta` (ring, hierarchical, halving-doubling) on uniform placements.
    public func uncontendedTime(on graph: LinkGraph) -> CollectiveTime {
        let (rates, bottlenecks) = uncontendedRates(on: graph)
        return time(rates: rates, bottlenecks: bottlenecks)
    }

    /// Phase and total times given each flow's rate (e.g. from a `FlowNetwork` shared with other jobs).
    ///
    /// Phase time = steps·α + bytesPerFlow / (slowest flow's rate): SimGrid pays the latency before the transfer
    /// (simgrid docs/source/Models.rst), and a ring step finishes only when its slowest hop does.
    /// - Parameters:
    ///   - rates: rate of each of `flows`, bytes per second, by flow index.
    ///   - bottlenecks: optional limiting link of each flow (e.g. `FlowNetwork.bottleneck(of:)`).
    public func time(rates: [Double], bottlenecks: [LinkID?]? = nil) -> CollectiveTime {
        time(rates: rates, bottleneck: { bottlenecks?[$0] })
    }

    /// Phase and total times given each flow's rate, as `time(rates:bottlenecks:)`; `bottleneck` is asked only for
    /// the flow (by index) that limits each phase, so a costly lookup (`FlowNetwork.bottleneck(of:)`) runs once per
    /// phase rather than once per flow.
    public func time(rates: [Double], bottleneck: (Int) -> LinkID?) -> CollectiveTime {
        precondition(rates.count == flows.count, "one rate per flow")
        var out: [PhaseTime] = []
        for phase in phases {
            var slowest = Double.infinity
            var arg = -1
            for i in phase.flowIndices where rates[i] < slowest || arg < 0 {
                slowest = rates[i]
                arg = i
            }
            let transfer = phase.bytesPerFlow == 0 ? 0 : phase.bytesPerFlow / slowest
            out.append(PhaseTime(
                kind: phase.kind, latency: phase.latency, transfer: transfer, rate: slowest,
                bottleneck: arg >= 0 ? bottleneck(arg) : nil))
        }
        return CollectiveTime(phases: out)
    }

    /// The flows as max-min demands (weight 1, each with its connection cap), for `FlowNetwork.add(_:)`.
    public var demands: [FlowDemand] {
        flows.map { FlowDemand(path: $0.path, rateCap: $0.rateCap.isFinite ? $0.rateCap : nil) }
    }
}

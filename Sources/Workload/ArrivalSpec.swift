import SimRandom

/// The long-run mean arrival rate of a synthetic workload, before `ArrivalSpec.scale`.
public enum ArrivalRate: Sendable, Equatable {
    /// Jobs per hour.
    case perHour(Double)
    /// The rate that offers `load` × the cluster's GPU capacity (1.0 = fully loaded):
    /// rate = load · GPUs / E[GPU-seconds per job].
    case load(Double)
    /// The replayed trace's own mean rate (its arrivals over its span); only for `.replay`.
    case source
}

/// The shape of an arrival process: how arrivals spread around the mean rate.
public enum ArrivalProcess: Sendable, Equatable {
    /// Poisson: independent exponential gaps.
    case poisson
    /// A non-homogeneous Poisson process whose rate follows a daily or weekly profile.
    case diurnal(RateProfile)
    /// A Markov-modulated Poisson process: the rate switches between states held for exponential times.
    case mmpp([MMPPState])
    /// Poisson batches of several jobs submitted at the same instant.
    case batch(BatchArrivalSpec)
    /// A trace's own arrival times, thinned or superposed to the target rate.
    case replay(ArrivalReplaySource)

    /// The scenario name of the process.
    public var name: String {
        switch self {
        case .poisson: return "poisson"
        case .diurnal: return "diurnal"
        case .mmpp: return "mmpp"
        case .batch: return "batch"
        case .replay: return "replay"
        }
    }
}

/// How synthetic jobs arrive: a process shape, its mean rate, and a factor on that rate.
public struct ArrivalSpec: Sendable, Equatable {
    /// The process.
    public var process: ArrivalProcess
    /// The mean rate before `scale`.
    public var rate: ArrivalRate
    /// Multiplies the mean rate (1.5 = 1.5× the load), keeping the process's shape.
    public var scale: Double

    /// Creates a spec.
    public init(process: ArrivalProcess, rate: ArrivalRate, scale: Double = 1) {
        self.process = process
        self.rate = rate
        self.scale = scale
    }

    /// Poisson arrivals at `ratePerHour` jobs per hour.
    public static func poisson(ratePerHour: Double) -> ArrivalSpec { ArrivalSpec(process: .poisson, rate: .perHour(ratePerHour)) }

    /// Poisson arrivals at the rate that offers `load` × the cluster's GPU capacity.
    public static func targetLoad(_ load: Double) -> ArrivalSpec { ArrivalSpec(process: .poisson, rate: .load(load)) }

    /// The mean rate in jobs per second, given the cluster's GPU count and the mean GPU-seconds of one job.
    public func ratePerSecond(clusterGPUs: Int, meanGPUSeconds: Double) -> Double {
        let base: Double
        switch rate {
        case .perHour(let r): base = r / 3600
        case .load(let l): base = l * Double(clusterGPUs) / meanGPUSeconds
        case .source:
            guard case .replay(let source) = process else { preconditionFailure("a source rate needs a replayed trace") }
            base = source.ratePerSecond
        }
        return base * scale
    }

    /// The highest instantaneous rate over the mean rate (1 for Poisson): bounds how many jobs a span can hold.
    public var peakToMean: Double {
        switch process {
        case .poisson, .replay: return 1
        case .diurnal(let profile): return profile.peakRelativeRate
        case .mmpp(let states): return MMPPArrivals.peakToMean(states)
        case .batch: return 1
        }
    }

    /// A generator of this process's arrivals at mean rate `ratePerSecond`, drawing from `streams`.
    public func generator(ratePerSecond: Double, streams: RandomStreams) -> any ArrivalGenerator {
        switch process {
        case .poisson: return PoissonArrivals(ratePerSecond: ratePerSecond, stream: streams.stream("arrivals"))
        case .diurnal(let profile): return DiurnalArrivals(profile: profile, ratePerSecond: ratePerSecond, streams: streams)
        case .mmpp(let states): return MMPPArrivals(states: states, ratePerSecond: ratePerSecond, streams: streams)
        case .batch(let spec): return BatchArrivals(spec: spec, ratePerSecond: ratePerSecond, streams: streams)
        case .replay(let source): return TraceArrivalReplay(source: source, ratePerSecond: ratePerSecond, streams: streams)
        }
    }
}

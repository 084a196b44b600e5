import SimRandom

/// Batch arrivals: how many jobs a batch holds, and whether they are copies of one job.
public struct BatchArrivalSpec: Sendable, Equatable {
    /// Jobs per batch: an integer-valued distribution with values ≥ 1 (a number, categorical, or geometric).
    public var size: Distribution
    /// Whether every job of a batch copies the first one's GPUs, duration, model and user (a sweep of one
    /// configuration) instead of drawing its own.
    public var identical: Bool

    /// Creates a spec.
    public init(size: Distribution, identical: Bool = false) {
        self.size = size
        self.identical = identical
    }
}

/// A compound Poisson process: batches arrive as a Poisson process, each bringing a drawn number of jobs at the
/// same instant (hyperparameter sweeps, pipelines submitted by one script).
///
/// Batches arrive at rate λ / E[size] so that jobs arrive at mean rate λ; the count in [0, T) then has mean λT and
/// variance (λ/E[S])·T·E[S²]. Gaps from stream "arrivals", sizes from "arrivals.batch".
struct BatchArrivals: ArrivalGenerator {
    let size: Distribution
    let meanGap: Double
    let gaps: RandomStream
    let sizes: RandomStream
    var time = 0.0
    var left = 0
    var batch = -1

    init(spec: BatchArrivalSpec, ratePerSecond: Double, streams: RandomStreams) {
        size = spec.size
        meanGap = spec.size.mean / ratePerSecond
        gaps = streams.stream("arrivals")
        sizes = streams.stream("arrivals.batch")
    }

    mutating func next() -> Arrival? {
        if left == 0 {
            time += gaps.draw(.exponential(mean: meanGap))
            // Sizes are validated integral and ≥ 1; the clamp only guards the conversion.
            left = Int(min(max(1, sizes.draw(size).rounded()), 1e9))
            batch += 1
        }
        left -= 1
        return Arrival(time: time, batch: batch)
    }
}

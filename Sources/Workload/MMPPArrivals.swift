import SimRandom

/// One state of a Markov-modulated Poisson process.
public struct MMPPState: Sendable, Equatable {
    /// The arrival rate in this state relative to the others (the rates are scaled together so that the long-run
    /// mean is the workload's rate); 0 makes an off period.
    public var relativeRate: Double
    /// Mean time the process stays in this state, seconds (exponentially distributed).
    public var meanSojournSeconds: Double

    /// Creates a state.
    public init(relativeRate: Double, meanSojournSeconds: Double) {
        self.relativeRate = relativeRate
        self.meanSojournSeconds = meanSojournSeconds
    }
}

/// A Markov-modulated Poisson process (Fischer and Meier-Hellstern, "The Markov-modulated Poisson process (MMPP)
/// cookbook", Performance Evaluation 18(2), 1993): a continuous-time Markov chain over `states` sets the Poisson
/// rate; leaving a state, it jumps to one of the other states with equal probability.
///
/// With equal jump probabilities the embedded jump chain is uniform in the long run, so the chain spends a share
/// πᵢ = mᵢ / Σ mⱼ of the time in state i (mᵢ its mean sojourn), and the long-run rate is Σ πᵢ·rᵢ·c for relative
/// rates rᵢ and a common factor c chosen to hit the target mean. The first state is drawn from π so the process
/// is stationary from time 0. Draws: the chain (first state, sojourns, jumps) from "arrivals.state", gaps from
/// "arrivals"; a gap that would cross a state change is discarded, which is exact because exponential gaps are
/// memoryless.
struct MMPPArrivals: ArrivalGenerator {
    let rates: [Double]
    let sojourns: [Double]
    let gaps: RandomStream
    let chain: RandomStream
    var state: Int
    var stateEnd: Double
    var time = 0.0
    var count = 0

    init(states: [MMPPState], ratePerSecond: Double, streams: RandomStreams) {
        let pi = Self.stationary(states)
        let meanRelative = zip(pi, states).reduce(0) { $0 + $1.0 * $1.1.relativeRate }
        rates = states.map { $0.relativeRate / meanRelative * ratePerSecond }
        sojourns = states.map(\.meanSojournSeconds)
        gaps = streams.stream("arrivals")
        chain = streams.stream("arrivals.state")
        // π is a valid categorical table: sojourns are validated > 0.
        state = chain.drawIndex(try! CategoricalTable(values: pi.indices.map(Double.init), weights: pi))
        stateEnd = chain.draw(.exponential(mean: sojourns[state]))
    }

    mutating func next() -> Arrival? {
        while true {
            let rate = rates[state]
            if rate > 0 {
                let candidate = time + gaps.draw(.exponential(mean: 1 / rate))
                if candidate < stateEnd {
                    time = candidate
                    break
                }
            }
            time = stateEnd
            let j = chain.uniformInt(below: rates.count - 1)
            state = j >= state ? j + 1 : j
            stateEnd = time + chain.draw(.exponential(mean: sojourns[state]))
        }
        count += 1
        return Arrival(time: time, batch: count - 1)
    }

    /// The long-run share of time in each state: mean sojourns normalised.
    static func stationary(_ states: [MMPPState]) -> [Double] {
        let total = states.reduce(0) { $0 + $1.meanSojournSeconds }
        return states.map { $0.meanSojournSeconds / total }
    }

    /// The highest state rate over the long-run mean rate.
    static func peakToMean(_ states: [MMPPState]) -> Double {
        let pi = stationary(states)
        let mean = zip(pi, states).reduce(0) { $0 + $1.0 * $1.1.relativeRate }
        return (states.map(\.relativeRate).max() ?? 0) / mean
    }
}

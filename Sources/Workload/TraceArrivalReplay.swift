import SimRandom

/// A trace's arrival times to replay (`ArrivalProcess.replay`).
public struct ArrivalReplaySource: Sendable, Equatable {
    /// Submit times, seconds, ascending, on the trace's clock rebased to its window's start.
    public var times: [Double]
    /// The span the times cover, seconds (the window, or up to the last submit): sets the source's mean rate.
    public var spanSeconds: Double

    /// Creates a source; `times` must be ascending and `spanSeconds` > 0.
    public init(times: [Double], spanSeconds: Double) {
        self.times = times
        self.spanSeconds = spanSeconds
    }

    /// The source's mean rate, arrivals per second.
    public var ratePerSecond: Double { Double(times.count) / spanSeconds }

    /// The period copies are shifted by: a week for spans of two weeks or more, else a day for two days or more,
    /// else an hour, so that a shifted copy keeps the time of day (and of week) of its arrivals.
    var shiftUnit: Double {
        spanSeconds >= 14 * 86_400 ? 7 * 86_400 : spanSeconds >= 2 * 86_400 ? 86_400 : 3600
    }
}

/// A trace's arrival times, thinned or superposed to reach a target mean rate (Lewis and Shedler 1979 for
/// thinning; superposition of independent thinned copies for rates above the source's).
///
/// With factor f = target rate / source rate and c = ⌈f⌉ copies, every arrival of every copy is kept with
/// probability f/c (a draw from stream "arrivals.replay", copy by copy, in time order), so the expected count is
/// f × the source's. Copy k ≥ 1 is shifted by k whole shift units (weeks, days or hours: `shiftUnit`), wrapping
/// around the span rounded up to whole units, so copies do not pile onto the same instants yet keep the source's
/// daily and weekly pattern. The kept count of copy k is binomial(n, f/c), so the total has mean f·n and variance
/// c·n·(f/c)(1 − f/c).
struct TraceArrivalReplay: ArrivalGenerator {
    let times: [Double]
    var position = 0

    init(source: ArrivalReplaySource, ratePerSecond: Double, streams: RandomStreams) {
        let factor = ratePerSecond / source.ratePerSecond
        let copies = max(1, Int(factor.rounded(.up)))
        let keep = factor / Double(copies)
        let unit = source.shiftUnit
        let units = max(1, (source.spanSeconds / unit).rounded(.up))
        let wrap = units * unit
        let shift = max(1, (units / Double(copies)).rounded(.down)) * unit
        let draws = streams.stream("arrivals.replay")
        var kept: [(time: Double, copy: Int, index: Int)] = []
        kept.reserveCapacity(Int(Double(source.times.count) * factor * 1.1) + 16)
        for copy in 0..<copies {
            let offset = (Double(copy) * shift).truncatingRemainder(dividingBy: wrap)
            for (i, t) in source.times.enumerated() where draws.uniform01() < keep {
                var s = t + offset
                if copy > 0 && s >= wrap { s -= wrap }
                kept.append((s, copy, i))
            }
        }
        // Copy and source position break ties, so the order never depends on the sort algorithm.
        kept.sort { ($0.time, $0.copy, $0.index) < ($1.time, $1.copy, $1.index) }
        times = kept.map(\.time)
    }

    mutating func next() -> Arrival? {
        guard position < times.count else { return nil }
        position += 1
        return Arrival(time: times[position - 1], batch: position - 1)
    }
}

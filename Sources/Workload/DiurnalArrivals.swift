import SimRandom

/// A non-homogeneous Poisson process with a daily or weekly rate profile (`RateProfile`).
///
/// Hourly profiles are piecewise constant, so arrivals are generated exactly by inverting the cumulative rate:
/// each gap is a unit-mean exponential draw (stream "arrivals") spent across the hours at their rates (Çinlar,
/// "Introduction to Stochastic Processes", 1975, the time-change theorem for Poisson processes). Sinusoidal
/// profiles use thinning (Lewis and Shedler, "Simulation of nonhomogeneous Poisson processes by thinning", Naval
/// Research Logistics Quarterly 26(3), 1979): candidates at the peak rate from "arrivals", each kept with
/// probability rate/peak by a draw from "arrivals.thinning".
struct DiurnalArrivals: ArrivalGenerator {
    let profile: RateProfile
    let ratePerSecond: Double
    let gaps: RandomStream
    let thinning: RandomStream
    var time = 0.0
    /// The absolute hour `time` lies in (hourly profiles), kept as an integer so bin edges are exact.
    var hour = 0
    var count = 0

    init(profile: RateProfile, ratePerSecond: Double, streams: RandomStreams) {
        self.profile = profile
        self.ratePerSecond = ratePerSecond
        gaps = streams.stream("arrivals")
        thinning = streams.stream("arrivals.thinning")
    }

    mutating func next() -> Arrival? {
        switch profile {
        case .hourly(let weights):
            var budget = gaps.draw(.exponential(mean: 1))
            while true {
                let rate = ratePerSecond * weights[hour % weights.count]
                let end = Double(hour + 1) * 3600
                let capacity = rate * max(0, end - time)
                if rate > 0 && budget <= capacity {
                    time = min(time + budget / rate, end)
                    break
                }
                budget -= capacity
                time = end
                hour += 1
            }
            // `time` may land exactly on the end of its hour; the next gap starts in the following hour then.
            if time >= Double(hour + 1) * 3600 { hour += 1 }
        case .sinusoid:
            let peak = ratePerSecond * profile.peakRelativeRate
            repeat {
                time += gaps.draw(.exponential(mean: 1 / peak))
            } while thinning.uniform01() * profile.peakRelativeRate >= profile.relativeRate(atSeconds: time)
        }
        count += 1
        return Arrival(time: time, batch: count - 1)
    }
}

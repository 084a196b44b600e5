import SimRandom

/// Poisson arrivals: exponential gaps with mean 1/rate, drawn from stream "arrivals".
///
/// The draws and their accumulation are exactly those of the first-version generator, so scenarios written
/// before the other processes existed generate the same jobs.
struct PoissonArrivals: ArrivalGenerator {
    let stream: RandomStream
    let meanGap: Double
    var time = 0.0
    var count = 0

    init(ratePerSecond: Double, stream: RandomStream) {
        self.stream = stream
        self.meanGap = 1 / ratePerSecond
    }

    mutating func next() -> Arrival? {
        time += stream.draw(.exponential(mean: meanGap))
        count += 1
        return Arrival(time: time, batch: count - 1)
    }
}

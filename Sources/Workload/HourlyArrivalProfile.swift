/// Arrivals per hour of the day (24 bins) or of the week (168 bins), each divided by how many hours of that
/// bin the observed span covers, so a span of a whole number of days (weeks) is not needed.
///
/// Bin h holds the arrivals whose time t (seconds from the span's start) has ⌊t/3600⌋ mod period = h: the
/// profile is on the trace's own clock, whose time 0 may be any time of day.
public struct HourlyArrivalProfile: Sendable, Equatable {
    /// Hours per period: 24 or 168.
    public let periodHours: Int
    /// Arrivals in each bin.
    public let counts: [Int]
    /// Hours of each bin inside the observed span.
    public let exposureHours: [Double]

    /// The profile of `times` (seconds) observed over [0, `spanSeconds`); times outside are ignored.
    public init(times: [Double], spanSeconds: Double, periodHours: Int) {
        precondition(periodHours > 0)
        self.periodHours = periodHours
        var counts = [Int](repeating: 0, count: periodHours)
        for t in times where t >= 0 && t < spanSeconds {
            counts[Int((t / 3600).rounded(.down)) % periodHours] += 1
        }
        var exposure = [Double](repeating: 0, count: periodHours)
        let fullHours = Int((spanSeconds / 3600).rounded(.down))
        let cycles = fullHours / periodHours
        for h in 0..<periodHours { exposure[h] = Double(cycles) }
        for h in (cycles * periodHours)..<fullHours { exposure[h % periodHours] += 1 }
        exposure[fullHours % periodHours] += spanSeconds / 3600 - Double(fullHours)
        self.counts = counts
        self.exposureHours = exposure
    }

    /// Arrivals per hour in each bin (0 for a bin the span never covers).
    public var ratesPerHour: [Double] {
        zip(counts, exposureHours).map { $1 > 0 ? Double($0) / $1 : 0 }
    }

    /// The bins' rates relative to their mean (mean 1), what a diurnal `RateProfile` takes; nil without arrivals.
    public var relativeRates: [Double]? {
        let r = ratesPerHour
        let mean = r.reduce(0, +) / Double(r.count)
        return mean > 0 ? r.map { $0 / mean } : nil
    }

    /// Pearson correlation of the two profiles' hourly rates (same period), or nil when either is constant.
    public func correlation(with other: HourlyArrivalProfile) -> Double? {
        guard other.periodHours == periodHours else { return nil }
        return pearson(ratesPerHour, other.ratesPerHour)
    }
}

/// Pearson's correlation coefficient of two equally long series; nil when either has zero variance.
public func pearson(_ a: [Double], _ b: [Double]) -> Double? {
    guard a.count == b.count, a.count >= 2 else { return nil }
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
        sab += (x - ma) * (y - mb)
        saa += (x - ma) * (x - ma)
        sbb += (y - mb) * (y - mb)
    }
    guard saa > 0, sbb > 0 else { return nil }
    return sab / (saa * sbb).squareRoot()
}

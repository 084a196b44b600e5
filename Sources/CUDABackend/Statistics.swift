/// The statistics the measurements need: the median of repeated timings and a least-squares line.
public enum Statistics {
    /// The median of `samples` (mean of the two middle values for an even count); nil when empty.
    public static func median(_ samples: [Double]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let s = samples.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    /// An ordinary least-squares line y ≈ intercept + slope·x.
    public struct LineFit: Equatable, Sendable {
        /// The fitted value at x = 0.
        public var intercept: Double
        /// The fitted change in y per unit x.
        public var slope: Double
    }

    /// The least-squares line through (x, y); nil with fewer than two points or when every x is equal.
    public static func leastSquaresLine(x: [Double], y: [Double]) -> LineFit? {
        precondition(x.count == y.count, "x and y must have the same length")
        guard x.count >= 2 else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n
        let my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0
        for (xi, yi) in zip(x, y) {
            sxx += (xi - mx) * (xi - mx)
            sxy += (xi - mx) * (yi - my)
        }
        guard sxx > 0 else { return nil }
        let slope = sxy / sxx
        return LineFit(intercept: my - slope * mx, slope: slope)
    }
}

/// All-reduce bandwidths as nccl-tests defines them (NVIDIA nccl-tests doc/PERFORMANCE.md).
///
/// algbw = S / t for S bytes per rank; busbw = algbw × 2(n−1)/n, the rate each link must sustain in a ring
/// all-reduce, comparable with the hardware's link bandwidth whatever n is.
public enum CollectiveBandwidth {
    /// The all-reduce bus factor 2(n−1)/n for `ranks` ranks (0 for one rank).
    public static func allReduceBusFactor(ranks: Int) -> Double {
        precondition(ranks >= 1, "an all-reduce needs at least one rank")
        return 2 * Double(ranks - 1) / Double(ranks)
    }

    /// Algorithm bandwidth, bytes/s: `bytes` per rank over `seconds`.
    public static func algorithmBandwidth(bytes: Double, seconds: Double) -> Double { bytes / seconds }

    /// Bus bandwidth of an all-reduce, bytes/s: algbw × 2(n−1)/n.
    public static func allReduceBusBandwidth(bytes: Double, seconds: Double, ranks: Int) -> Double {
        algorithmBandwidth(bytes: bytes, seconds: seconds) * allReduceBusFactor(ranks: ranks)
    }

    /// The α–β model of an all-reduce fitted from timings: t(S) = α + S·2(n−1)/n / busbw.
    public struct AlphaBeta: Equatable, Sendable {
        /// Fixed cost per all-reduce (the fitted intercept), seconds.
        public var alphaSeconds: Double
        /// Fitted bus bandwidth (the inverse of the slope against S·2(n−1)/n), bytes/s.
        public var busBandwidth: Double

        /// Creates a model.
        public init(alphaSeconds: Double, busBandwidth: Double) {
            self.alphaSeconds = alphaSeconds
            self.busBandwidth = busBandwidth
        }

        /// Predicted seconds for an all-reduce of `bytes` per rank over `ranks` ranks. A negative fitted α (noise)
        /// counts as 0.
        public func seconds(bytes: Double, ranks: Int) -> Double {
            max(0, alphaSeconds) + bytes * CollectiveBandwidth.allReduceBusFactor(ranks: ranks) / busBandwidth
        }
    }

    /// Fits α and busbw by least squares of t against S·2(n−1)/n; nil with fewer than two distinct sizes, one rank,
    /// or a non-positive slope.
    public static func fitAlphaBeta(bytes: [Double], seconds: [Double], ranks: Int) -> AlphaBeta? {
        guard ranks >= 2 else { return nil }
        let factor = allReduceBusFactor(ranks: ranks)
        guard let fit = Statistics.leastSquaresLine(x: bytes.map { $0 * factor }, y: seconds), fit.slope > 0 else { return nil }
        return AlphaBeta(alphaSeconds: fit.intercept, busBandwidth: 1 / fit.slope)
    }
}

import Foundation
import SimRandom

/// A trace's jobs as an empirical joint distribution: each synthetic job copies the GPU count, duration, model,
/// user and GPU type of one trace row drawn uniformly with replacement (a seeded bootstrap, Efron, "Bootstrap
/// methods: another look at the jackknife", Annals of Statistics 7(1), 1979), so correlations between them, such
/// as "big jobs run longer", are kept.
///
/// With `durationSmoothing` h > 0 the duration is multiplied by exp(h·Z), Z standard normal: a smoothed bootstrap
/// with a Gaussian kernel on log durations (Silverman, "Density Estimation for Statistics and Data Analysis", 1986,
/// §6.4), so that generated durations are not limited to the trace's exact values. Rows from stream "sample",
/// kernel draws from "sample.smoothing".
public struct EmpiricalJobSample: Sendable, Equatable {
    /// One trace row's job attributes.
    public struct Row: Sendable, Equatable {
        /// GPUs requested.
        public var gpus: Int
        /// Recorded run time, seconds.
        public var durationSeconds: Double
        /// Zoo model index, when the trace names one.
        public var model: Int?
        /// Submitting user, when known.
        public var user: String?
        /// Required GPU type, when known.
        public var gpuType: String?
    }

    /// The rows, in the trace's submission order.
    public let rows: [Row]
    /// Standard deviation of the Gaussian kernel on log durations; 0 = plain bootstrap.
    public var durationSmoothing: Double

    /// The rows of `jobs` with a recorded duration (trace jobs); nil when there are none.
    public init?(jobs: [JobSpec], durationSmoothing: Double = 0) {
        var rows: [Row] = []
        rows.reserveCapacity(jobs.count)
        for j in jobs {
            guard case .duration(let d) = j.work else { continue }
            rows.append(Row(gpus: j.gpuCount, durationSeconds: d.seconds, model: j.model, user: j.user, gpuType: j.gpuType))
        }
        guard !rows.isEmpty else { return nil }
        self.rows = rows
        self.durationSmoothing = durationSmoothing
    }

    /// Draws one row, with its duration smoothed when `durationSmoothing` > 0.
    public func draw(rows rowStream: RandomStream, smoothing: RandomStream) -> Row {
        var row = rows[rowStream.uniformInt(below: rows.count)]
        if durationSmoothing > 0 { row.durationSeconds *= Foundation.exp(smoothing.gaussian(sigma: durationSmoothing)) }
        return row
    }

    /// E[GPUs × duration] of a draw, seconds (the kernel multiplies durations by exp(h²/2) on average).
    public var meanGPUSeconds: Double {
        rows.reduce(0) { $0 + Double($1.gpus) * $1.durationSeconds } / Double(rows.count)
            * Foundation.exp(durationSmoothing * durationSmoothing / 2)
    }

    /// The largest GPU count a draw can have.
    public var maxGPUs: Int { rows.map(\.gpus).max() ?? 0 }

    /// Silverman's rule-of-thumb bandwidth on log durations, 0.9 · min(sd, IQR/1.34) · n^(−1/5) (Silverman 1986,
    /// eq. 3.31), or 0 for fewer than 2 values.
    public static func silvermanBandwidth(durations: [Double]) -> Double {
        let logs = durations.filter { $0 > 0 && $0.isFinite }.map { Foundation.log($0) }.sorted()
        guard logs.count >= 2 else { return 0 }
        let n = Double(logs.count)
        let mean = logs.reduce(0, +) / n
        let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let iqr = linearPercentile(logs, 75) - linearPercentile(logs, 25)
        let spread = iqr > 0 ? min(sd, iqr / 1.34) : sd
        return 0.9 * spread * Foundation.pow(n, -0.2)
    }
}

import SimRandom
import Workload

extension DistributionConfig {
    /// GPUs per job: constant and categorical values (and uniform bounds) are whole numbers in
    /// 1...`InputLimits.maxGPUsPerJob`; a continuous family's draws are rounded (at least 1), and its mean must lie in
    /// that range. So `gpus: 0`, `-3` or `1.5` are errors rather than silently run as 1 or 2 GPUs.
    static let gpuCounts = FieldCheck<DistributionConfig>(valid: drawText(gpuRange, whole: true)) { d in
        drawProblem(d.distribution, range: gpuRange, whole: true)
    }

    /// Durations in seconds: constant and categorical values (and uniform bounds) in (0, `InputLimits.maxDurationSeconds`];
    /// a continuous family's mean must lie in that range (`lognormal: {mu: 30}` has a mean of 1.8e13 s, past the
    /// simulated clock). Draws below 1 s are run as 1 s, draws past the bound as the bound.
    static let durations = FieldCheck<DistributionConfig>(valid: drawText(durationRange, whole: false)) { d in
        drawProblem(d.distribution, range: durationRange, whole: false)
    }

    /// The range of one job's GPU count.
    static let gpuRange = ValidRange.integers(1...InputLimits.maxGPUsPerJob, "GPUs")
    /// The range of one job's duration.
    static let durationRange = ValidRange.above(0, upTo: InputLimits.maxDurationSeconds, "seconds")

    static func drawText(_ range: ValidRange, whole: Bool) -> String {
        "values \(range.interval)\(whole ? " (whole numbers)" : "") \(range.unit); a distribution's mean likewise"
    }

    /// Why `d` can draw values outside `range` (whole numbers only when `whole`), or nil.
    static func drawProblem(_ d: Distribution, range: ValidRange, whole: Bool) -> String? {
        func value(_ x: Double) -> Bool { range.contains(x) && (!whole || x == x.rounded()) }
        let what = "\(whole ? "whole numbers of " : "")\(range.unit) in \(range.interval)"
        switch d {
        case .constant(let v):
            return value(v) ? nil : "expected \(what), got \(ValidRange.text(v))"
        case .categorical(let t):
            let bad = zip(t.values, t.weights).filter { $0.1 > 0 && !value($0.0) }.map(\.0)
            return bad.isEmpty ? nil : "expected categorical values that are \(what), got \(bad.prefix(5).map(ValidRange.text))"
        case .uniform(let low, let high):
            // A uniform's draws are continuous: for counts they are rounded, so its bounds need only lie in the range.
            let lowOK = whole ? range.contains(low.rounded()) && low >= range.low : (low >= 0 && low <= range.high)
            return lowOK && range.contains(high) ? nil : "expected a uniform distribution within \(what), got [\(ValidRange.text(low)), \(ValidRange.text(high)))"
        case .mixture(let m):
            for (i, (c, w)) in zip(m.components, m.weights.weights).enumerated() where w > 0 {
                if let p = drawProblem(c, range: range, whole: whole) { return "component \(i): \(p)" }
            }
            return nil
        case .exponential, .lognormal, .gamma, .weibull, .pareto, .geometric:
            let mean = d.mean
            guard mean.isFinite, mean <= range.high else {
                return "expected a distribution whose mean is at most \(ValidRange.text(range.high)) \(range.unit), got a mean of \(DistributionConfig.number(mean))"
            }
            return nil
        }
    }
}

import Foundation
import SimRandom
import Workload

/// A distribution as written in a scenario: a plain number (constant) or a one-key mapping naming the
/// family, e.g. `{lognormal: {mu: 7.5, sigma: 1.2}}`, `{categorical: {values: [1, 2], weights: [3, 1]}}` or
/// `{mixture: {weights: [0.7, 0.3], components: [{lognormal: {mu: 6, sigma: 1}}, {pareto: {scale: 3600, shape: 1.5}}]}}`.
struct DistributionConfig: Decodable {
    let distribution: Distribution

    static let families = [
        "constant", "exponential", "lognormal", "gamma", "weibull", "uniform", "categorical", "pareto", "geometric", "mixture",
    ]

    /// Components a mixture may have.
    static let maxMixtureComponents = 64
    /// Values a categorical distribution may have.
    static let maxCategoricalValues = 100_000

    init(_ distribution: Distribution) { self.distribution = distribution }

    init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let v = try? single.decode(Double.self) {
            distribution = .constant(v)
            if let problem = distribution.parameterProblem {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
            }
            return
        }
        try decoder.rejectUnknownKeys(allowed: Self.families)
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "expected a number or a mapping with exactly one of: \(Self.families.joined(separator: ", "))"))
        }
        let p = try c.nestedDecoder(forKey: key)
        func corrupted(_ message: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: p.codingPath, debugDescription: message))
        }
        switch key.stringValue {
        case "constant": distribution = .constant(try c.decode(Double.self, forKey: key))
        case "exponential": distribution = .exponential(mean: try p.param("mean", only: ["mean"]))
        case "lognormal":
            distribution = .lognormal(mu: try p.param("mu", only: ["mu", "sigma"]), sigma: try p.param("sigma", only: ["mu", "sigma"]))
        case "gamma":
            distribution = .gamma(shape: try p.param("shape", only: ["shape", "scale"]), scale: try p.param("scale", only: ["shape", "scale"]))
        case "weibull":
            distribution = .weibull(scale: try p.param("scale", only: ["scale", "shape"]), shape: try p.param("shape", only: ["scale", "shape"]))
        case "uniform":
            distribution = .uniform(low: try p.param("low", only: ["low", "high"]), high: try p.param("high", only: ["low", "high"]))
        case "pareto":
            distribution = .pareto(scale: try p.param("scale", only: ["scale", "shape"]), shape: try p.param("shape", only: ["scale", "shape"]))
        case "geometric": distribution = .geometric(mean: try p.param("mean", only: ["mean"]))
        case "mixture":
            try p.rejectUnknownKeys(allowed: ["weights", "components"])
            let mc = try p.container(keyedBy: AnyCodingKey.self)
            let components = try mc.decode([DistributionConfig].self, forKey: AnyCodingKey(stringValue: "components"))
            guard components.count <= Self.maxMixtureComponents else {
                throw corrupted("expected at most \(Self.maxMixtureComponents) components, got \(components.count)")
            }
            let weights = try mc.decodeIfPresent([Double].self, forKey: AnyCodingKey(stringValue: "weights"))
                ?? Array(repeating: 1, count: components.count)
            do {
                distribution = .mixture(try MixtureTable(components: components.map(\.distribution), weights: weights))
            } catch {
                throw corrupted(error.description)
            }
        default:  // categorical
            try p.rejectUnknownKeys(allowed: ["values", "weights"])
            let cc = try p.container(keyedBy: AnyCodingKey.self)
            let values = try cc.decode([Double].self, forKey: AnyCodingKey(stringValue: "values"))
            guard values.count <= Self.maxCategoricalValues else {
                throw corrupted("expected at most \(Self.maxCategoricalValues) values, got \(values.count)")
            }
            let weights = try cc.decodeIfPresent([Double].self, forKey: AnyCodingKey(stringValue: "weights"))
                ?? Array(repeating: 1, count: values.count)
            do {
                distribution = .categorical(try CategoricalTable(values: values, weights: weights))
            } catch {
                throw corrupted(error.description)
            }
        }
        if let problem = distribution.parameterProblem { throw corrupted(problem) }
    }

    /// The distribution as a one-line YAML flow value that decodes back to it (what `schedlab trace fit` writes).
    static func yaml(_ d: Distribution) -> String {
        func n(_ x: Double) -> String { number(x) }
        switch d {
        case .constant(let v): return n(v)
        case .exponential(let m): return "{exponential: {mean: \(n(m))}}"
        case .lognormal(let mu, let sigma): return "{lognormal: {mu: \(n(mu)), sigma: \(n(sigma))}}"
        case .gamma(let k, let theta): return "{gamma: {shape: \(n(k)), scale: \(n(theta))}}"
        case .weibull(let lambda, let k): return "{weibull: {scale: \(n(lambda)), shape: \(n(k))}}"
        case .uniform(let a, let b): return "{uniform: {low: \(n(a)), high: \(n(b))}}"
        case .pareto(let xm, let alpha): return "{pareto: {scale: \(n(xm)), shape: \(n(alpha))}}"
        case .geometric(let m): return "{geometric: {mean: \(n(m))}}"
        case .categorical(let t):
            return "{categorical: {values: [\(t.values.map(n).joined(separator: ", "))], weights: [\(t.weights.map(n).joined(separator: ", "))]}}"
        case .mixture(let m):
            return "{mixture: {weights: [\(m.weights.weights.map(n).joined(separator: ", "))], components: ["
                + m.components.map(yaml).joined(separator: ", ") + "]}}"
        }
    }

    /// A number with 6 significant digits, whole numbers without a fraction ("8", "0.123457", "1.5e+06").
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        let text = String(format: "%.6g", x)
        // YAML 1.1 resolvers read "1e-07" as a string; "1.0e-07" is a float everywhere.
        if let e = text.firstIndex(of: "e"), !text[..<e].contains(".") { return text[..<e] + ".0" + text[e...] }
        return text
    }
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// The decoder of the value at `key`.
    func nestedDecoder(forKey key: Key) throws -> Decoder { try superDecoder(forKey: key) }
}

extension Decoder {
    /// Decodes the required number `name` of a parameter mapping that may only hold `only`.
    func param(_ name: String, only: [String]) throws -> Double {
        try rejectUnknownKeys(allowed: only)
        let c = try container(keyedBy: AnyCodingKey.self)
        return try c.decode(Double.self, forKey: AnyCodingKey(stringValue: name))
    }
}

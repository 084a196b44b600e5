import SimRandom
import Workload

/// A distribution as written in a scenario: a plain number (constant) or a one-key mapping naming the
/// family, e.g. `{lognormal: {mu: 7.5, sigma: 1.2}}` or `{categorical: {values: [1, 2], weights: [3, 1]}}`.
struct DistributionConfig: Decodable {
    let distribution: Distribution

    static let families = ["constant", "exponential", "lognormal", "gamma", "weibull", "uniform", "categorical"]

    init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let v = try? single.decode(Double.self) {
            distribution = .constant(v)
            return
        }
        try decoder.rejectUnknownKeys(allowed: Self.families)
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        guard c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "expected a number or a mapping with exactly one of: \(Self.families.joined(separator: ", "))"))
        }
        let p = try c.nestedDecoder(forKey: key)
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
        default:  // categorical
            try p.rejectUnknownKeys(allowed: ["values", "weights"])
            let cc = try p.container(keyedBy: AnyCodingKey.self)
            let values = try cc.decode([Double].self, forKey: AnyCodingKey(stringValue: "values"))
            let weights = try cc.decodeIfPresent([Double].self, forKey: AnyCodingKey(stringValue: "weights"))
                ?? Array(repeating: 1, count: values.count)
            do {
                distribution = .categorical(try CategoricalTable(values: values, weights: weights))
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: p.codingPath, debugDescription: error.description))
            }
        }
        if let problem = distribution.parameterProblem {
            throw DecodingError.dataCorrupted(.init(codingPath: p.codingPath, debugDescription: problem))
        }
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

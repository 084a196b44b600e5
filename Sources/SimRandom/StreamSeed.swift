/// FNV-1a (64-bit) over UTF-8 bytes: a stable string hash for deriving stream seeds.
///
/// Swift's `hashValue` is seeded per process, so it must never feed a seed; FNV-1a is fixed by definition
/// (Fowler–Noll–Vo, offset basis 0xcbf29ce484222325, prime 0x100000001b3).
public func fnv1a64(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}

/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
/// a tiny generator used here only to spread a master seed into well-mixed per-stream seeds.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// Returns the next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed of the stream called `name` under `master`: SplitMix64 over (master XOR FNV-1a(name)).
///
/// Streams are independent of creation order: adding a new stream never shifts the draws of another.
public func streamSeed(master: UInt64, name: String) -> UInt64 {
    var mixer = SplitMix64(seed: master ^ fnv1a64(name))
    return mixer.next()
}

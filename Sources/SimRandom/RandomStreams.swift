/// The family of named random streams of one run, all derived from a single master seed.
///
/// Each consumer asks for its own stream by name ("arrivals", "gpus", "durations", "models", "policy.fifo"),
/// so adding a draw in one place never changes the numbers another place sees.
public struct RandomStreams: Sendable {
    /// The run's master seed.
    public let master: UInt64

    /// Creates the family for `master`.
    public init(master: UInt64) { self.master = master }

    /// A fresh stream named `name`; two calls with the same name give identical sequences.
    public func stream(_ name: String) -> RandomStream {
        RandomStream(name: name, seed: streamSeed(master: master, name: name))
    }
}

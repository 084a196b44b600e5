/// Why a policy could not decide a round, ending the run as failed: an external policy's process crashed, hung
/// past its timeout, answered something that is not a decision list, or made a decision the engine rejected.
///
/// Swift policies never fail this way (they cannot produce anything but typed decisions); the engine reports it as
/// `SimulationError.policyFailed`, adding the simulated time.
public struct PolicyFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line: which round, and what went wrong.
    public var message: String
    /// Further lines worth showing with it (an external process's last standard-error lines), oldest first.
    public var detail: [String]

    /// Creates a failure.
    public init(message: String, detail: [String] = []) {
        self.message = message
        self.detail = detail
    }

    /// The message, then the detail lines indented under it.
    public var description: String {
        ([message] + detail.map { "    | " + $0 }).joined(separator: "\n")
    }
}

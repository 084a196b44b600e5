#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended, from its `waitpid` status.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Decodes a raw `waitpid` status (the WIFEXITED/WEXITSTATUS/WTERMSIG macros, which Swift does not import).
    public init(waitStatus s: Int32) {
        if s & 0x7f == 0 {
            self = .exited((s >> 8) & 0xff)
        } else {
            self = .signaled(s & 0x7f)
        }
    }

    /// Whether it exited with status 0.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal):
            guard let name = strsignal(signal) else { return "was killed by signal \(signal)" }
            return "was killed by signal \(signal) (\(String(cString: name)))"
        }
    }

    /// The text of an errno value.
    static func errorText(_ e: Int32) -> String {
        guard let text = strerror(e) else { return "errno \(e)" }
        return String(cString: text)
    }
}

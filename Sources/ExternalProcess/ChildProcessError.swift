/// Why talking to a child process failed.
public enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The process could not be started (program not found or not executable, bad working directory).
    case startFailed(program: String, reason: String)
    /// No complete reply line arrived within the deadline.
    case timedOut(seconds: Double)
    /// The process closed its standard output (usually: it exited) before a complete reply line.
    case closedOutput(ExitStatus?)
    /// The process stopped reading its standard input (usually: it exited) before taking the whole message.
    case closedInput(ExitStatus?)
    /// A reply line grew past the limit without a newline.
    case lineTooLong(limit: Int)
    /// A system call failed unexpectedly.
    case system(call: String, errno: Int32)

    public var description: String {
        func exited(_ s: ExitStatus?) -> String { s.map { ": it \($0)" } ?? "" }
        switch self {
        case .startFailed(let program, let reason): return "cannot start '\(program)': \(reason)"
        case .timedOut(let seconds): return "no reply within the timeout of \(seconds) s"
        case .closedOutput(let s): return "the process closed its output before a complete reply\(exited(s))"
        case .closedInput(let s): return "the process stopped reading its input\(exited(s))"
        case .lineTooLong(let limit): return "a reply line is longer than \(limit) bytes"
        case .system(let call, let e): return "\(call) failed: \(ExitStatus.errorText(e))"
        }
    }
}

import ArgumentParser
import Foundation
import Recording
import Workload

/// Exit statuses of `schedlab`, documented in the README.
enum CLIExit {
    /// Bad input (scenario, trace, options): nothing was simulated or written.
    static let badInput = ExitCode(2)
    /// The simulation failed (invalid policy decision, invariant violation); the run is recorded as failed.
    static let simulationFailed = ExitCode(1)
    /// A hardware command found no CUDA driver or device (used by the hardware backend).
    static let noDevice = ExitCode(3)
    /// A sweep (or a sweep worker) ran every point but some failed; each is recorded with its error.
    static let someFailed = ExitCode(4)
    /// Stopped by SIGINT: 128 + 2, as shells report it (see `Interruption`).
    static let interruptedByINT = ExitCode(130)
    /// Stopped by SIGTERM: 128 + 15.
    static let interruptedByTERM = ExitCode(143)
}

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// `text` with every control character written as an escape: `\n`, `\r`, `\t`, else `\u{XX}` (C0, DEL and C1).
func escapingControlCharacters(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        guard scalar.properties.generalCategory == .control else {
            out.append(scalar)
            continue
        }
        let escape: String
        switch scalar {
        case "\n": escape = "\\n"
        case "\r": escape = "\\r"
        case "\t": escape = "\\t"
        default: escape = "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
        out.append(contentsOf: escape.unicodeScalars)
    }
    return String(out)
}

/// Reports a bad-input error on one line and returns the exit code to throw. The message may echo the input (a
/// value with a newline in it, a control character), so control characters are escaped: one error, one line.
func reportInputError(_ error: InputError) -> ExitCode {
    printError("error: " + escapingControlCharacters(error.description))
    return CLIExit.badInput
}

/// `error` on one line: SQLite's messages quote the failing statement, line breaks and all.
func oneLine(_ error: Error) -> String {
    "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
}

/// Reports, on one line, that the results database `db` could not be opened, and returns the exit code: 2 for a
/// database written by a newer SchedLab (the user's input is at fault; nothing was written), 1 otherwise.
func databaseOpenFailure(_ db: String, _ error: Error, doing what: String) -> ExitCode {
    printError("error: \(db): \(what): \(oneLine(error))")
    if case RecordingError.newerSchema = error { return CLIExit.badInput }
    return ExitCode.failure
}

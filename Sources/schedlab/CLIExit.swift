import ArgumentParser
import Foundation
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
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Reports a bad-input error on one line and returns the exit code to throw.
func reportInputError(_ error: InputError) -> ExitCode {
    printError("error: \(error)")
    return CLIExit.badInput
}

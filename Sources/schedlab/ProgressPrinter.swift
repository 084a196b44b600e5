import Engine
import Foundation

/// Prints a progress line on stderr at most every two seconds of wall time, for long runs.
///
/// On a terminal the line is rewritten in place; in logs (CI) each report is its own line.
final class ProgressPrinter {
    private let totalJobs: Int
    private let started = Date()
    private var lastPrint = Date()
    private let isTerminal = isatty(2) != 0
    private var printed = false

    init(totalJobs: Int) { self.totalJobs = totalJobs }

    /// Called by the engine every few thousand events.
    func report(_ r: ProgressReport) {
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= 2 else { return }
        lastPrint = now
        printed = true
        let wall = now.timeIntervalSince(started)
        let line = String(
            format: "[schedlab] sim t=%.1f h  jobs %d/%d finished  %d events  %.1f s wall",
            r.now.seconds / 3600, r.finishedJobs, r.totalJobs, r.events, wall)
        FileHandle.standardError.write(Data((isTerminal ? "\r" + line : line + "\n").utf8))
    }

    /// Ends an in-place progress line.
    func finish() {
        if printed && isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

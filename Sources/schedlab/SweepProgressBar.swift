import Foundation

/// The sweep's progress bar on stderr: points done of those to run, failures, elapsed time and an ETA.
///
/// On a terminal the bar is redrawn in place after every point; in a log (CI) a line is printed at each tenth of
/// the way and at the end, so logs stay short. The ETA assumes the remaining points take as long as the finished
/// ones did on average.
final class SweepProgressBar {
    private let total: Int
    private let started = Date()
    private let isTerminal = isatty(2) != 0
    private var lastTenth = -1
    private(set) var done = 0
    private(set) var failed = 0

    init(total: Int) { self.total = total }

    /// One more point finished.
    func advance(failed didFail: Bool) {
        done += 1
        if didFail { failed += 1 }
        let tenth = total == 0 ? 10 : done * 10 / total
        guard isTerminal || tenth != lastTenth || done == total else { return }
        lastTenth = tenth
        let line = Self.render(done: done, failed: failed, total: total, elapsed: Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data((isTerminal ? "\r" + line + (done == total ? "\n" : "") : line + "\n").utf8))
    }

    /// `[##########----------]  60/120 points, 1 failed, 0:42 elapsed, ETA 0:42`.
    static func render(done: Int, failed: Int, total: Int, elapsed: TimeInterval, width: Int = 30) -> String {
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var line = "[\(bar)] \(String(repeating: " ", count: max(0, String(total).count - String(done).count)))\(done)/\(total) points"
        if failed > 0 { line += ", \(failed) failed" }
        line += ", \(clock(elapsed)) elapsed"
        if done > 0 && done < total { line += ", ETA \(clock(elapsed / Double(done) * Double(total - done)))" }
        return line
    }

    /// 0:42, 12:05, 1:02:03.
    static func clock(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

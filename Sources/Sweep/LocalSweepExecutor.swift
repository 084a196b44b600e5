import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs sweep points on this machine: one worker process (`schedlab sweep-task`) per point, at most `workers` at
/// a time, all recording into one database (WAL mode; each worker waits for the others' write transactions).
///
/// A process per point isolates failures: a crash or a trap in one point's simulation ends that process only,
/// and the executor reports it. Workers watch this process and exit when it dies, so a sweep killed halfway
/// leaves no orphan running a point that the resumed sweep will run again.
public final class LocalSweepExecutor {
    /// How a worker ended.
    public enum Exit: Sendable, Equatable {
        /// Exited with this status (0: complete; 4: the point failed and the worker recorded why).
        case status(Int32)
        /// Killed by this signal.
        case signal(Int32)
    }

    /// A finished worker: its point, how it ended, and the tail of what it printed.
    public struct Finished: Sendable {
        /// The point it ran.
        public let point: SweepPoint
        /// How it ended.
        public let exit: Exit
        /// Its last lines of output (stdout and stderr together), for reporting failures.
        public let outputTail: String
    }

    private let executable: String
    private let arguments: (SweepPoint) -> [String]
    private let workers: Int
    private let logDirectory: URL

    /// - Parameters:
    ///   - executable: the `schedlab` binary to start.
    ///   - arguments: a point's worker arguments (after the executable name).
    ///   - workers: processes at once (≥ 1).
    ///   - logDirectory: where each worker's output goes while it runs (created; its files are removed as they end).
    public init(executable: String, arguments: @escaping (SweepPoint) -> [String], workers: Int, logDirectory: URL) {
        self.executable = executable
        self.arguments = arguments
        self.workers = max(1, workers)
        self.logDirectory = logDirectory
    }

    /// Runs every point, calling `finished` (on this thread) as each worker ends, in the order they end.
    ///
    /// `interrupt` is asked between polls; once it names a signal, no further worker starts and the signal is sent on
    /// to every running worker (once), which stops its point at an event boundary and records it `interrupted`; `run`
    /// returns when they have all ended. Returns the points never started.
    @discardableResult
    public func run(_ points: [SweepPoint], interrupt: () -> Int32? = { nil }, finished: (Finished) -> Void) throws -> [SweepPoint] {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        var next = 0
        var running: [(pid: pid_t, point: SweepPoint, log: String)] = []
        var forwarded = false
        while next < points.count || !running.isEmpty {
            if !forwarded, let sig = interrupt() {
                forwarded = true
                for worker in running { kill(worker.pid, sig) }
            }
            while !forwarded && running.count < workers && next < points.count {
                let point = points[next]
                let log = logDirectory.appendingPathComponent("point-\(point.index).log").path
                running.append((try spawn(arguments(point), log: log), point, log))
                next += 1
            }
            // Poll our own children only: waitpid(-1) could reap a process some other code is waiting for.
            var reaped = false
            var i = 0
            while i < running.count {
                var status: Int32 = 0
                let r = waitpid(running[i].pid, &status, WNOHANG)
                if r == running[i].pid || (r == -1 && errno == ECHILD) {
                    let done = running.remove(at: i)
                    // Wait-status layout (POSIX, as glibc encodes it): low 7 bits the terminating signal, else
                    // the exit status in the next byte.
                    let exit: Exit = r == -1 ? .status(-1) : (status & 0x7f) == 0 ? .status((status >> 8) & 0xff) : .signal(status & 0x7f)
                    let tail = Self.tail(ofFileAt: done.log)
                    try? FileManager.default.removeItem(atPath: done.log)
                    finished(Finished(point: done.point, exit: exit, outputTail: tail))
                    reaped = true
                } else {
                    i += 1
                }
            }
            if !reaped { usleep(10_000) }
            if forwarded && running.isEmpty { break }
        }
        return Array(points[next...])
    }

    /// Starts `executable args`, its stdin /dev/null and stdout and stderr into `log`.
    private func spawn(_ args: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Workers start with SIGINT and SIGTERM at their defaults, whatever this process does with them (the sweep
        // ignores them in favour of a dispatch source, and ignored signals would be inherited).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw NSError(domain: "SchedLab.Sweep", code: Int(rc), userInfo: [
                NSLocalizedDescriptionKey: "cannot start \(executable): \(String(cString: strerror(rc)))"])
        }
        return pid
    }

    /// The last few lines of a log file.
    static func tail(ofFileAt path: String, lines: Int = 5) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let text = String(decoding: data.suffix(8_192), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).suffix(lines).joined(separator: "\n")
    }
}

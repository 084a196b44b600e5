import ArgumentParser
import Dispatch
import Foundation

/// SIGINT and SIGTERM turned into a request to stop, which the engine sees at an event boundary (it asks every 16 events)
/// (`SimulationOptions.shouldStop`) and the sweep driver between worker polls.
///
/// The signals are delivered to a dispatch source rather than a handler of our own, so that no Swift code runs in
/// signal context (a handler may only call async-signal-safe functions); the source's handler runs on a dispatch
/// queue and records the first signal under a lock. Without this the default action ends the process at once and
/// leaves its run row `running` forever.
final class Interruption: @unchecked Sendable {
    /// The process-wide instance: signal dispositions belong to the process.
    static let shared = Interruption()

    private let lock = NSLock()
    private var first: Int32 = 0
    private var sources: [DispatchSourceSignal] = []

    /// Starts catching SIGINT and SIGTERM (once; later calls do nothing). With `secondSignalEnds`, a second signal
    /// while the first is being honoured ends the process at once with status 128 + signal: the way out of a stop
    /// that takes too long (SQLite rolls back an unfinished transaction, so the database stays consistent, but the
    /// run row keeps 'running'). Sweep workers pass false: a terminal's Ctrl-C reaches them both directly and
    /// through the sweep, which forwards it.
    func install(secondSignalEnds: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            // Ignored at the process level so that only the dispatch source sees it. Child processes do not inherit
            // this: ours are started with default dispositions (CSpawn, LocalSweepExecutor).
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in self.record(sig, secondSignalEnds: secondSignalEnds) }
            source.resume()
            sources.append(source)
        }
    }

    private func record(_ sig: Int32, secondSignalEnds: Bool) {
        lock.lock()
        let isFirst = first == 0
        if isFirst { first = sig }
        lock.unlock()
        if !isFirst && secondSignalEnds {
            printError("\(Self.name(sig)) again: stopping at once")
            _exit(128 + sig)
        }
    }

    /// The first signal received, nil while none has been.
    var caught: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return first == 0 ? nil : first
    }

    /// Whether a stop was requested (cheap enough to ask before every event).
    var isRequested: Bool { caught != nil }

    /// "SIGINT", "SIGTERM", else "signal N".
    static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }

    /// The exit status for a stop by `sig`: 128 + the signal number, as shells report a process a signal ended
    /// (130 for SIGINT, 143 for SIGTERM).
    static func exitCode(_ sig: Int32) -> ExitCode {
        switch sig {
        case SIGINT: return CLIExit.interruptedByINT
        case SIGTERM: return CLIExit.interruptedByTERM
        default: return ExitCode(128 + sig)
        }
    }
}

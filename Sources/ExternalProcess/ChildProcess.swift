#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSpawn

/// A child process spoken to in lines: messages written to its standard input, one-line replies read from its
/// standard output before a deadline, its standard error kept as a tail of recent lines (`StderrTail`).
///
/// One thread, no helpers: every wait is a `poll` over the child's output, its standard error and (while a
/// message is only partly written) its input, so a child that fills one pipe while this side waits on another
/// cannot deadlock the pair, and a child that says nothing is caught by the deadline. Standard input is one end
/// of a socket pair rather than a pipe so that writes can pass `MSG_NOSIGNAL`: a child that died turns a write
/// into an error here instead of a SIGPIPE that would kill this process.
///
/// The child is always reaped: `stop` (end of input, a grace period, then SIGKILL) or `kill` does it, and so does
/// `deinit` for a process nobody stopped, so no zombie outlives the object.
public final class ChildProcess {
    /// The child's process ID.
    public let pid: pid_t
    /// The command line it was started with.
    public let arguments: [String]
    /// Longest reply line accepted, bytes.
    public var lineLimit = 64 << 20

    /// This side's ends: the child's standard input (a socket), output and error (pipes); -1 once closed.
    private var input: Int32
    private var output: Int32
    private var errors: Int32
    /// Output bytes read but not yet returned, from `pendingStart`; `scanned` bytes of them hold no newline.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var scanned = 0
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    /// The child's recent standard-error lines.
    public private(set) var stderrTail = StderrTail()
    /// How it ended, once reaped.
    public private(set) var exitStatus: ExitStatus?

    /// Starts `arguments[0]` (searched on PATH when it has no slash) with `arguments`, in `workingDirectory`
    /// (nil: this process's), with this process's environment.
    public init(arguments: [String], workingDirectory: String? = nil) throws(ChildProcessError) {
        precondition(!arguments.isEmpty, "a command needs a program")
        self.arguments = arguments
        var sock: [Int32] = [-1, -1]
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        func closeAll() { for fd in sock + out + err where fd >= 0 { close(fd) } }
        #if os(Linux)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, streamType, 0, &sock) == 0 else { throw .system(call: "socketpair", errno: errno) }
        guard pipe(&out) == 0 else { let e = errno; closeAll(); throw .system(call: "pipe", errno: e) }
        guard pipe(&err) == 0 else { let e = errno; closeAll(); throw .system(call: "pipe", errno: e) }
        // Close-on-exec everywhere: the child gets only the copies on 0, 1 and 2, and children started later do not
        // inherit this one's pipes (which would keep its output open after it exits).
        for fd in sock + out + err {
            let e = cspawn_cloexec(fd)
            guard e == 0 else { closeAll(); throw .system(call: "fcntl", errno: e) }
        }
        #if !os(Linux)
        var one: Int32 = 1
        setsockopt(sock[0], SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { args in
            if let dir = workingDirectory {
                return cspawn_start(args.baseAddress, dir, sock[1], out[1], err[1], &child)
            }
            return cspawn_start(args.baseAddress, nil, sock[1], out[1], err[1], &child)
        }
        close(sock[1])
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(sock[0])
            close(out[0])
            close(err[0])
            var reason = ExitStatus.errorText(rc)
            if rc == ENOENT, let dir = workingDirectory, access(dir, F_OK) != 0 {
                reason = "working directory '\(dir)' does not exist"
            } else if rc == ENOENT {
                reason = "no such program (searched PATH)"
            }
            throw .startFailed(program: arguments[0], reason: reason)
        }
        pid = child
        input = sock[0]
        output = out[0]
        errors = err[0]
    }

    deinit {
        if exitStatus == nil { kill() }
        closeStreams()
    }

    // MARK: - Exchange

    /// Writes `message` whole to the child's input, reading its output and standard error meanwhile.
    public func send(_ message: [UInt8], deadline: Deadline) throws(ChildProcessError) {
        var offset = 0
        let count = message.count
        while offset < count {
            guard input >= 0 else { throw .closedInput(reapQuickly()) }
            let n = message.withUnsafeBytes { raw in
                Self.sendNoSignal(input, raw.baseAddress! + offset, count - offset)
            }
            if n > 0 {
                offset += n
                continue
            }
            let e = errno
            if n < 0 && e == EINTR { continue }
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                try wait(deadline: deadline, forInput: true)
                continue
            }
            if n < 0 && (e == EPIPE || e == ECONNRESET) { throw .closedInput(reapQuickly()) }
            throw .system(call: "send", errno: e)
        }
    }

    /// The next line of the child's output (without its newline), waiting until `deadline` at most.
    public func readLine(deadline: Deadline) throws(ChildProcessError) -> ArraySlice<UInt8> {
        while true {
            if let line = takeLine() { return line }
            guard pending.count - pendingStart <= lineLimit else { throw .lineTooLong(limit: lineLimit) }
            guard output >= 0 else { throw .closedOutput(reapQuickly()) }
            try wait(deadline: deadline, forInput: false)
        }
    }

    /// Sends `message`, then returns the reply line, all before `deadline`.
    public func exchange(_ message: [UInt8], deadline: Deadline) throws(ChildProcessError) -> ArraySlice<UInt8> {
        try send(message, deadline: deadline)
        return try readLine(deadline: deadline)
    }

    /// Reads whatever standard error the child has written so far, without waiting.
    public func drainStandardError() {
        guard errors >= 0 else { return }
        var fds = [pollfd(fd: errors, events: Int16(POLLIN), revents: 0)]
        while poll(&fds, 1, 0) > 0 && fds[0].revents != 0 {
            if !readErrors() { break }
            fds[0].revents = 0
        }
    }

    // MARK: - Ending

    /// Ends the child: closes its input (a well-behaved child exits at end of input), waits up to `grace` seconds
    /// for it to exit (reading its output and standard error meanwhile), then kills it. Returns how it ended.
    @discardableResult
    public func stop(grace: Double) -> ExitStatus {
        if let exitStatus { return exitStatus }
        if input >= 0 {
            close(input)
            input = -1
        }
        let deadline = Deadline(secondsFromNow: grace)
        while exitStatus == nil {
            if reapNow() != nil { break }
            if deadline.hasPassed { break }
            // Waits for output or standard error to close (the child exiting) in slices, so a child that exits
            // with its pipes held open by a grandchild is still noticed by waitpid.
            try? wait(deadline: Deadline(secondsFromNow: min(0.01, deadline.secondsLeft)), forInput: false, quietly: true)
        }
        return exitStatus ?? kill()
    }

    /// Kills the child with SIGKILL (if it still runs) and reaps it. Returns how it ended.
    @discardableResult
    public func kill() -> ExitStatus {
        if let exitStatus { return exitStatus }
        if reapNow() == nil {
            _ = Glibc_kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus = ExitStatus(waitStatus: status)
        }
        drainStandardError()
        closeStreams()
        return exitStatus!
    }

    /// Whether the child still runs (not reaped yet; reaps it if it has exited).
    public var isRunning: Bool { exitStatus == nil && reapNow() == nil }

    // MARK: - Internals

    /// The next complete line in `pending`, if any.
    private func takeLine() -> ArraySlice<UInt8>? {
        let end = pending.count
        var i = pendingStart + scanned
        while i < end {
            if pending[i] == UInt8(ascii: "\n") {
                let line = pending[pendingStart..<i]
                pendingStart = i + 1
                scanned = 0
                return line
            }
            i += 1
        }
        scanned = end - pendingStart
        return nil
    }

    /// One `poll` until output, standard error or (with `forInput`) room on the input arrives, then reads what came.
    /// Throws `timedOut` at the deadline, `closedOutput` when the output reaches its end (unless `quietly`).
    private func wait(deadline: Deadline, forInput: Bool, quietly: Bool = false) throws(ChildProcessError) {
        var fds = [
            pollfd(fd: output, events: Int16(POLLIN), revents: 0),
            pollfd(fd: errors, events: Int16(POLLIN), revents: 0),
            pollfd(fd: forInput ? input : -1, events: Int16(POLLOUT), revents: 0),
        ]
        let left = deadline.secondsLeft
        guard left > 0 || quietly else { throw .timedOut(seconds: deadline.timeout) }
        // Whole milliseconds, rounded up, so that a wait never ends just before its deadline and spins.
        let ms = Int32(min(max(0, (left * 1000).rounded(.up)), Double(Int32.max)))
        let ready = poll(&fds, 3, ms)
        if ready < 0 {
            if errno == EINTR { return }
            throw .system(call: "poll", errno: errno)
        }
        if ready == 0 {
            if quietly { return }
            throw .timedOut(seconds: deadline.timeout)
        }
        if fds[1].revents != 0 { _ = readErrors() }
        if fds[0].revents != 0 {
            // Compacts the consumed prefix before it grows past the buffer: replies are read one line at a time.
            if pendingStart > 0 && pendingStart >= pending.count / 2 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            let n = readBuffer.withUnsafeMutableBytes { read(output, $0.baseAddress!, $0.count) }
            if n > 0 {
                pending.append(contentsOf: readBuffer[0..<n])
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                close(output)
                output = -1
                if !quietly { throw .closedOutput(reapQuickly()) }
            }
        }
    }

    /// Reads one chunk of standard error into the tail; false at its end.
    private func readErrors() -> Bool {
        let n = readBuffer.withUnsafeMutableBytes { read(errors, $0.baseAddress!, $0.count) }
        if n > 0 {
            stderrTail.append(readBuffer[0..<n])
            return true
        }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        close(errors)
        errors = -1
        return false
    }

    /// Reaps the child if it has exited; its status, or nil while it runs.
    @discardableResult
    private func reapNow() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        exitStatus = ExitStatus(waitStatus: status)
        return exitStatus
    }

    /// After the child closed a stream: waits briefly for it to exit (it usually is exiting) and collects the
    /// rest of its standard error, so the error can say how it ended and show its last words. Kills a child that
    /// closed the stream but goes on running.
    private func reapQuickly() -> ExitStatus? {
        let deadline = Deadline(secondsFromNow: 1)
        while reapNow() == nil && !deadline.hasPassed {
            var fds = [pollfd(fd: errors, events: Int16(POLLIN), revents: 0)]
            if errors >= 0 && poll(&fds, 1, 5) > 0 {
                _ = readErrors()
            } else if errors < 0 {
                usleep(1000)
            }
        }
        drainStandardError()
        return exitStatus ?? kill()
    }

    private func closeStreams() {
        for fd in [input, output, errors] where fd >= 0 { close(fd) }
        input = -1
        output = -1
        errors = -1
    }

    private static func sendNoSignal(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
        #else
        return Darwin.send(fd, bytes, count, MSG_DONTWAIT)
        #endif
    }
}

/// `kill(2)`, under a name that does not clash with `ChildProcess.kill()`.
@inline(__always) private func Glibc_kill(_ pid: pid_t, _ signal: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.kill(pid, signal)
    #else
    return Darwin.kill(pid, signal)
    #endif
}

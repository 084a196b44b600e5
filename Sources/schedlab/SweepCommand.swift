import ArgumentParser
import Foundation
import Recording
import Scenario
import Sweep
import Workload

/// `schedlab sweep`: run a grid of scenario variations on all local cores or as a Slurm job array.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid over scenario fields (crossed or zipped) on local worker processes or on Slurm.",
        discussion: """
            Every point is one run recorded in the database, linked to the sweep in 'sweep_points'. Points whose run \
            already completed are skipped, so an interrupted sweep resumes where it stopped; failed points are tried \
            again. Local: --jobs worker processes (default: all cores) write into the database at once. Slurm: one \
            'sbatch --array' job, each task writing its own database in the work directory; --wait waits for it and \
            merges them (else 'schedlab merge DB DIR/task-*.sqlite' does, when it has finished). \
            Exit status: 0 every point complete; 4 some points failed (each is recorded with its error); 2 bad input; \
            130 on SIGINT, 143 on SIGTERM: no further point starts, the running ones stop at an event boundary and are \
            recorded 'interrupted', and running the sweep again resumes it.
            """
    )

    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @Argument(help: "Sweep YAML file (see Scenarios/sweeps/).")
    var sweep: String

    @Option(help: "Results database (default: Results/sweeps/<sweep name>.sqlite).")
    var db: String?

    @Option(name: .shortAndLong, help: "Local worker processes (default: all cores).")
    var jobs: Int?

    @Option(help: "Where points run: local worker processes or a Slurm job array.")
    var backend: Backend = .local

    @Flag(help: "Slurm: wait for the job array to finish, then merge its task databases into the database.")
    var wait = false

    @Option(help: "Slurm: work directory for the script, plan, task databases and logs, on a file system the nodes share (default: <db>.slurm/<time>).")
    var slurmDir: String?

    @Option(help: "Slurm: points per array task.")
    var pointsPerTask: Int = 1

    @Option(name: .customLong("sbatch"), help: ArgumentHelp("Slurm: an extra #SBATCH option, e.g. --sbatch=--time=00:30:00 (repeatable).", valueName: "option"))
    var sbatchOptions: [String] = []

    @Flag(help: "List the points and whether each is done, without running anything.")
    var dryRun = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if pointsPerTask < 1 { throw ValidationError("--points-per-task must be at least 1") }
        if wait && backend != .slurm { throw ValidationError("--wait applies to --backend slurm (a local sweep always waits)") }
    }

    func run() throws {
        let spec: SweepSpec
        let points: [SweepPoint]
        do throws(InputError) {
            spec = try SweepSpec.load(path: sweep)
            points = try spec.points()
            // One load of the base scenario catches a wrong base before every point fails the same way.
            _ = try ScenarioLoader.load(path: spec.scenario, overrides: spec.fixed.map { (o: String) throws(InputError) in try ScenarioOverride(o) })
        } catch {
            throw reportInputError(error)
        }
        let dbPath = db ?? "Results/sweeps/\(spec.name).sqlite"
        let sink: SQLiteSink
        let completed: Set<String>
        do {
            sink = try SQLiteSink(path: dbPath, busyTimeout: 600)
            completed = try sink.completedPointKeys(sweep: spec.name)
        } catch {
            throw databaseOpenFailure(dbPath, error, doing: "cannot open the results database")
        }
        let pending = points.filter { !completed.contains($0.key) }
        if dryRun {
            for p in points { print("\(p.index)\t\(completed.contains(p.key) ? "complete" : "pending")\t\(p.label)") }
            return
        }
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        printError("sweep '\(spec.name)': \(points.count) points, \(points.count - pending.count) already complete, "
            + (backend == .local ? "\(pending.count) to run on \(min(workers, max(pending.count, 1))) worker(s)" : "\(pending.count) to run on Slurm")
            + "; recording into \(dbPath)")
        guard !pending.isEmpty else { return }
        switch backend {
        case .local: try runLocal(spec, pending, sink: sink, db: dbPath, workers: workers)
        case .slurm: try runSlurm(spec, pending, sink: sink, db: dbPath)
        }
    }

    // MARK: - Local

    private func runLocal(_ spec: SweepSpec, _ pending: [SweepPoint], sink: SQLiteSink, db: String, workers: Int) throws {
        let me = getpid()
        let executable = Self.executablePath()
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-sweep-\(me)")
        defer { try? FileManager.default.removeItem(at: logs) }
        let progress = SweepProgressBar(total: pending.count)
        var failures: [(point: SweepPoint, message: String)] = []
        var interruptedPoints = 0
        let interruption = Interruption.shared
        interruption.install(secondSignalEnds: true)
        let executor = LocalSweepExecutor(
            executable: executable,
            arguments: { ["sweep-task", spec.path, "--db", db, "--points", String($0.index), "--sweep-digest", spec.digest,
                          "--exit-with-parent", String(me)] },
            workers: workers, logDirectory: logs)
        setenv("SCHEDLAB_CODE_VERSION", CodeVersion.current, 1)  // computed once, not by every worker
        let started = Date()
        let unstarted = try executor.run(pending, interrupt: { interruption.caught }) { finished in
            var message: String?
            switch finished.exit {
            case .status(0):
                break
            case .status(let s) where interruption.isRequested
                && (s == CLIExit.interruptedByINT.rawValue || s == CLIExit.interruptedByTERM.rawValue):
                // The worker stopped on the forwarded signal and recorded its run 'interrupted'.
                interruptedPoints += 1
                return
            case .status(CLIExit.someFailed.rawValue):
                // The worker recorded the failure; its last error line says what it was.
                message = Self.lastError(finished.outputTail, of: finished.point)
            case .status(let s), .signal(let s):
                let what = finished.exit == .status(s) ? "exited with status \(s)" : "was killed by signal \(s)"
                message = "the worker \(what): \(Self.lastError(finished.outputTail, of: finished.point))"
                try? sink.recordFailedPoint(finished.point.record(sweep: spec.name), error: message!, wallTime: Date())
            }
            if let message { failures.append((finished.point, message)) }
            progress.advance(failed: message != nil)
        }
        if let sig = interruption.caught {
            let done = pending.count - unstarted.count - interruptedPoints - failures.count
            printError("interrupted by \(Interruption.name(sig)): sweep '\(spec.name)' stopped with \(done) of \(pending.count) point(s) "
                + "completed, \(interruptedPoints) stopped (a run begun is recorded 'interrupted'), \(failures.count) failed and "
                + "\(unstarted.count) not started in \(db); run the sweep again to resume")
            throw Interruption.exitCode(sig)
        }
        try finish(spec, ran: pending.count, failures: failures, wall: Date().timeIntervalSince(started), db: db)
    }

    // MARK: - Slurm

    private func runSlurm(_ spec: SweepSpec, _ pending: [SweepPoint], sink: SQLiteSink, db: String) throws {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let dir = URL(fileURLWithPath: slurmDir ?? "\(db).slurm/\(spec.name)-\(stamp)")
        let job: String
        let slurm: SlurmSweep
        do {
            slurm = try SlurmSweep.prepare(spec: spec, points: pending, pointsPerTask: pointsPerTask, directory: dir,
                                           executable: Self.executablePath(), options: sbatchOptions)
            job = try slurm.submit()
        } catch {
            printError("error: slurm: \(error)")
            throw ExitCode.failure
        }
        printError("submitted Slurm job \(job): \(slurm.tasks.count) array task(s) in \(dir.path)")
        guard wait else {
            printError("when it has finished: schedlab merge \(db) \(dir.path)/task-*.sqlite")
            print(job)
            return
        }
        let started = Date()
        let progress = SweepProgressBar(total: pending.count)
        let keys = Set(pending.map(\.key))
        var seen = 0
        while try SlurmSweep.isActive(job: job) {
            Thread.sleep(forTimeInterval: 2)
            let done = slurm.tasks.indices.reduce(0) { n, t in
                n + ((try? SQLiteSink.completedPointKeys(readOnlyAt: slurm.database(task: t).path, sweep: spec.name))?.intersection(keys).count ?? 0)
            }
            while seen < done { progress.advance(failed: false); seen += 1 }
        }
        let databases = slurm.tasks.indices.map { slurm.database(task: $0).path }.filter { FileManager.default.fileExists(atPath: $0) }
        do {
            let copied = try ResultsMerger.merge(into: db, from: databases)
            printError("merged \(copied.count) run(s) from \(databases.count) task database(s) into \(db)")
        } catch {
            printError("error: merging the task databases: \(error)")
            throw ExitCode.failure
        }
        // Points still not complete failed: their task recorded why, or left nothing (see its log).
        let complete = try sink.completedPointKeys(sweep: spec.name)
        let errors = try sink.pointErrors(sweep: spec.name)
        var failures: [(point: SweepPoint, message: String)] = []
        for (t, indices) in slurm.tasks.enumerated() {
            for point in pending where indices.contains(point.index) && !complete.contains(point.key) {
                let message = errors[point.key] ?? "Slurm task \(t) recorded nothing for it; see \(slurm.log(task: t).path)"
                if errors[point.key] == nil {
                    try sink.recordFailedPoint(point.record(sweep: spec.name), error: message, wallTime: Date())
                }
                failures.append((point, message))
            }
        }
        var unreported = failures.count
        while seen < pending.count {
            progress.advance(failed: unreported > 0)
            unreported -= 1
            seen += 1
        }
        try finish(spec, ran: pending.count, failures: failures, wall: Date().timeIntervalSince(started), db: db)
    }

    // MARK: - Shared

    private func finish(_ spec: SweepSpec, ran: Int, failures: [(point: SweepPoint, message: String)], wall: TimeInterval, db: String) throws {
        printError("sweep '\(spec.name)': \(ran - failures.count) of \(ran) point(s) completed in \(String(format: "%.1f", wall)) s wall")
        guard !failures.isEmpty else { return }
        for f in failures.sorted(by: { $0.point.index < $1.point.index }) {
            printError("failed: point \(f.point.index) (\(f.point.label)): \(f.message)")
        }
        printError("\(failures.count) point(s) failed (recorded in \(db), table sweep_points); run the sweep again to retry them")
        throw CLIExit.someFailed
    }

    /// The last `error:` line of a worker's output (without the point it names, which the caller prints), else its
    /// last line.
    static func lastError(_ tail: String, of point: SweepPoint) -> String {
        let lines = tail.split(whereSeparator: \.isNewline).map(String.init)
        guard var line = lines.last(where: { $0.hasPrefix("error: ") }) else { return lines.last ?? "(no output)" }
        line.removeFirst(7)
        let named = "point \(point.index) (\(point.label))"
        if line.hasPrefix(named), let colon = line.dropFirst(named.count).range(of: ": ") {
            line = String(line[colon.upperBound...])
        }
        return line
    }

    /// This binary's absolute path, which workers and Slurm tasks run.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

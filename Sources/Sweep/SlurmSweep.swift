import Foundation

/// A sweep as one Slurm job array (`schedlab sweep --backend slurm`): each array task runs a chunk of points into
/// its own database, `task-<i>.sqlite` in the work directory, and `schedlab merge` collects them afterwards.
///
/// The work directory holds the batch script (`sweep.sbatch`), the plan (`plan.txt`: line i lists task i's point
/// indices), the task databases and the task logs (`logs/task-<i>.log`). It must be on a file system the compute
/// nodes share. Tasks check the sweep file's digest, so editing it after submission fails them instead of running
/// other points than planned.
public struct SlurmSweep: Sendable {
    /// The work directory.
    public let directory: URL
    /// Point indices of each array task.
    public let tasks: [[Int]]

    /// Writes the plan and the batch script for `points`, `pointsPerTask` per array task.
    /// - Parameters:
    ///   - executable: the `schedlab` binary the tasks run (absolute path, visible on the compute nodes).
    ///   - options: extra `#SBATCH` options, e.g. `--partition=short` or `--time=00:30:00`.
    public static func prepare(
        spec: SweepSpec, points: [SweepPoint], pointsPerTask: Int, directory: URL, executable: String, options: [String]
    ) throws -> SlurmSweep {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let chunk = max(1, pointsPerTask)
        let tasks = stride(from: 0, to: points.count, by: chunk).map { points[$0..<min($0 + chunk, points.count)].map(\.index) }
        let plan = tasks.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try plan.write(to: directory.appendingPathComponent("plan.txt"), atomically: true, encoding: .utf8)
        let sweepFile = URL(fileURLWithPath: spec.path).standardizedFileURL.path
        let dir = directory.standardizedFileURL.path
        var script = """
            #!/bin/bash
            # Written by `schedlab sweep --backend slurm` for the sweep '\(spec.name)' (\(points.count) points, \(tasks.count) tasks).
            #SBATCH --job-name=schedlab-\(spec.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #SBATCH --array=0-\(tasks.count - 1)
            #SBATCH --output=\(dir)/logs/task-%a.log
            #SBATCH --chdir=\(fm.currentDirectoryPath)
            #SBATCH --ntasks=1
            #SBATCH --cpus-per-task=1

            """
        for option in options { script += "#SBATCH \(option)\n" }
        script += """
            exec \(shellQuote(executable)) sweep-task \(shellQuote(sweepFile)) --sweep-digest \(spec.digest) \\
                --plan \(shellQuote(dir + "/plan.txt")) --task "$SLURM_ARRAY_TASK_ID" \\
                --db \(shellQuote(dir + "/task-"))"$SLURM_ARRAY_TASK_ID.sqlite"

            """
        try script.write(to: directory.appendingPathComponent("sweep.sbatch"), atomically: true, encoding: .utf8)
        return SlurmSweep(directory: directory, tasks: tasks)
    }

    /// The batch script.
    public var script: URL { directory.appendingPathComponent("sweep.sbatch") }

    /// Task `i`'s database.
    public func database(task i: Int) -> URL { directory.appendingPathComponent("task-\(i).sqlite") }

    /// Task `i`'s log.
    public func log(task i: Int) -> URL { directory.appendingPathComponent("logs/task-\(i).log") }

    /// Submits the script with `sbatch --parsable` and returns the job ID.
    public func submit() throws -> String {
        let out = try Self.command("sbatch", ["--parsable", script.path])
        guard out.status == 0 else { throw SlurmError("sbatch failed (status \(out.status)): \(out.output)") }
        // --parsable prints "jobid" or "jobid;cluster".
        let id = out.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw SlurmError("sbatch printed no job ID: \(out.output)") }
        return id
    }

    /// Whether any task of job `id` is still pending, running or completing (per `squeue`).
    public static func isActive(job id: String) throws -> Bool {
        let out = try command("squeue", ["-h", "-r", "-j", id, "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED", "-o", "%i"])
        // squeue fails with "Invalid job id" once the job has left the controller's memory: it is over.
        if out.status != 0 { return !out.output.contains("Invalid job id") && !out.output.contains("invalid job id") }
        return !out.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// Runs `tool args` (found on PATH) and returns its status and combined output.
    static func command(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw SlurmError("cannot run \(tool): \(error.localizedDescription)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 127 { throw SlurmError("\(tool) is not installed (not found on PATH)") }
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// A Slurm command failed or is missing.
public struct SlurmError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}

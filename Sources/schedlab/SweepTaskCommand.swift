import ArgumentParser
import Foundation
import Recording
import Sweep
import Workload

/// `schedlab sweep-task` (hidden): a sweep worker. Runs the given points of a sweep into a database; started by
/// `schedlab sweep` (one per point, locally) or by a Slurm array task (a chunk of points from the plan file).
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-task",
        abstract: "Run some points of a sweep (started by 'schedlab sweep'; not for direct use).",
        discussion: "Exit status: 0 every point completed; 4 some failed (each recorded with its error); 2 bad input; "
            + "130/143 stopped by SIGINT/SIGTERM (the point's run is recorded 'interrupted'; later points are not started).",
        shouldDisplay: false
    )

    @Argument(help: "Sweep YAML file.")
    var sweep: String

    @Option(help: "Results database the points are recorded into.")
    var db: String

    @Option(help: "Comma-separated point indices to run.")
    var points: String?

    @Option(help: "Plan file: line i lists array task i's point indices (with --task).")
    var plan: String?

    @Option(help: "Which line of the plan to run (0-based; Slurm's array task ID).")
    var task: Int?

    @Option(help: "SHA-256 of the sweep file as planned; the worker refuses a file that changed since.")
    var sweepDigest: String?

    @Option(help: "Exit as soon as the process with this ID is no longer this worker's parent.")
    var exitWithParent: Int32?

    func run() throws {
        if let parent = exitWithParent { Self.watch(parent: parent) }
        let interruption = Interruption.shared
        interruption.install(secondSignalEnds: false)
        let spec: SweepSpec
        let indices: [Int]
        let all: [SweepPoint]
        let text: String
        do throws(InputError) {
            spec = try SweepSpec.load(path: sweep)
            if let sweepDigest, sweepDigest != spec.digest {
                throw InputError(file: sweep, message: "the sweep file changed since the sweep was planned; run 'schedlab sweep' again")
            }
            indices = try selectedIndices()
            all = try spec.points()
            text = try spec.scenarioText()
            if let bad = indices.first(where: { $0 < 0 || $0 >= all.count }) {
                throw InputError(file: sweep, message: "point \(bad) is outside the grid of \(all.count) points")
            }
        } catch {
            throw reportInputError(error)
        }
        let sink: SQLiteSink
        do {
            // Many workers write into one file: a finished run waits its turn rather than failing for a lock.
            sink = try SQLiteSink(path: db, busyTimeout: 600)
        } catch {
            throw databaseOpenFailure(db, error, doing: "cannot open the results database")
        }
        let version = ProcessInfo.processInfo.environment["SCHEDLAB_CODE_VERSION"] ?? CodeVersion.current
        var failed = 0
        for i in indices {
            if let sig = interruption.caught {
                printError("interrupted by \(Interruption.name(sig)) before point \(i)")
                throw Interruption.exitCode(sig)
            }
            let point = all[i]
            let outcome = try SweepPointRunner.run(point, of: spec, scenarioText: text, sink: sink, codeVersion: version,
                                                   stopReason: { interruption.caught.map { "interrupted by \(Interruption.name($0))" } })
            switch outcome {
            case .interrupted(let run, let message):
                printError("point \(i) (\(point.label)), run \(run): \(message); recorded as 'interrupted'")
                throw Interruption.exitCode(interruption.caught ?? SIGINT)
            case .complete(let run):
                print("point \(i) (\(point.label)): run \(run) complete")
            case .failed(let run, let message):
                failed += 1
                printError("error: point \(i) (\(point.label))\(run.map { ", run \($0)" } ?? ""): \(message)")
            }
        }
        if failed > 0 { throw CLIExit.someFailed }
    }

    private func selectedIndices() throws(InputError) -> [Int] {
        func parse(_ list: Substring, _ source: String) throws(InputError) -> [Int] {
            var out: [Int] = []
            for part in list.split(separator: ",") {
                guard let i = Int(part.trimmingCharacters(in: .whitespaces)) else {
                    throw InputError(file: source, message: "expected comma-separated point indices, got '\(part)'")
                }
                out.append(i)
            }
            return out
        }
        if let points { return try parse(Substring(points), "--points") }
        guard let plan, let task else { throw InputError(file: "sweep-task", message: "give --points, or --plan with --task") }
        guard let data = FileManager.default.contents(atPath: plan) else { throw InputError(file: plan, message: "cannot read the plan") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard task >= 0 && task < lines.count && !lines[task].isEmpty else {
            throw InputError(file: plan, line: task + 1, message: "no line for task \(task)")
        }
        return try parse(lines[task], "\(plan):\(task + 1)")
    }

    /// Ends this process when `parent` stops being its parent (it died and the worker was re-parented), so a killed
    /// sweep leaves no worker behind to record a point that the resumed sweep runs again.
    private static func watch(parent: Int32) {
        Thread.detachNewThread {
            while getppid() == parent { usleep(100_000) }
            _exit(137)
        }
    }
}

import ArgumentParser
import Foundation
import Scenario
import Workload

/// `schedlab bench --scenario FILE`: `schedlab run FILE --no-db --quiet` (the reference) against the same command with
/// `--variant NAME` for each variant, each in its own process, in alternating rounds.
///
/// Why processes: what a user waits for is the command's wall time (start-up, loading, simulating, exit), and a run
/// inside this process would reuse the memory the previous one left behind (FIFO's run on `itp-full-2x.yaml` took
/// 0.8 s that way against 1.2–1.4 s as a command). Why rounds: on a shared machine the speed drifts by tens of
/// percent within minutes, so a variant timed an hour after the reference says little about their ratio. Every round
/// runs the reference, then each variant once; the table gives each one's fastest and median run and both ratios to
/// the reference's. This is how issue 9's "within 3× of FIFO's wall time" on `Scenarios/itp-full-2x.yaml` is measured
/// (README, "Policy zoo").
struct ScenarioBench {
    /// The scenario file.
    var path: String
    /// The variants to time (nil: every variant of the file, in name order).
    var variants: [String]?
    /// Rounds (each runs every entry once).
    var rounds: Int

    /// One thing timed: the file as it is (`variant` nil), or one of its variants.
    struct Entry: Equatable {
        var variant: String?
        var name: String { variant ?? "(file)" }
    }

    /// One timed run, and what its summary says.
    struct Run: Equatable {
        var wall: Double
        /// The child's user + system CPU seconds.
        var cpu: Double
        var summary: Summary
    }

    /// The lines of `schedlab run`'s summary the table repeats.
    struct Summary: Equatable {
        var policy: String
        var events: Int
        var preemptions: Int
        var unfinished: Int

        /// Reads them from `schedlab run`'s printed summary (`SummaryFormatter`); nil when a line is missing.
        init?(parsing text: String) {
            var policy: String?, events: Int?, preemptions: Int?, unfinished: Int?
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let first = words.first else { continue }
                switch first {
                case "policy" where words.count > 1: policy = words[1].hasSuffix(",") ? String(words[1].dropLast()) : String(words[1])
                case "simulated":
                    // "simulated  J jobs, E events, …"
                    if let k = words.firstIndex(where: { $0.hasPrefix("events") }), k > 0 { events = Int(words[k - 1]) }
                case "preemptions" where words.count == 2: preemptions = Int(words[1])
                case "jobs_unfinished" where words.count == 2: unfinished = Int(words[1])
                default: break
                }
            }
            guard let policy, let events, let preemptions, let unfinished else { return nil }
            self.policy = policy
            self.events = events
            self.preemptions = preemptions
            self.unfinished = unfinished
        }
    }

    /// The reference and the variants asked for; an input error naming the file's variants for an unknown one.
    func entries() throws(InputError) -> [Entry] {
        var out = [Entry(variant: nil)]
        if let variants {
            for name in variants {
                _ = try ScenarioLoader.overrides(ofVariant: name, inScenarioAt: path)
                out.append(Entry(variant: name))
            }
        } else {
            out += try ScenarioLoader.variants(ofScenarioAt: path).map { Entry(variant: $0.name) }
        }
        return out
    }

    /// `--seed 1` for every run when the file sets no seed (each `schedlab run` would draw its own, and the runs would
    /// not compare); nothing otherwise (a `--seed` would override the file's).
    func seedArguments() throws(InputError) -> [String] {
        var drawn = false
        _ = try ScenarioLoader.load(path: path, fallbackSeed: { drawn = true; return 1 })
        return drawn ? ["--seed", "1"] : []
    }

    /// This executable (to run `schedlab run` as a child).
    static func executable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
            ?? CommandLine.arguments[0]
    }

    /// Runs `schedlab run` for `entry` once in a child process and times it; its output goes to files in `dir`.
    func time(_ entry: Entry, in dir: URL, tag: String, extra: [String] = []) throws -> Run {
        // Fresh files for every run (`tag`: round and entry): nothing a previous run printed can be read as this one's.
        let out = dir.appendingPathComponent("stdout-\(tag)"), err = dir.appendingPathComponent("stderr-\(tag)")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable())
        p.arguments = ["run", path, "--no-db", "--quiet"] + (entry.variant.map { ["--variant", $0] } ?? []) + extra
        let stdout = try FileHandle(forWritingTo: out), stderr = try FileHandle(forWritingTo: err)
        defer { try? stdout.close(); try? stderr.close() }
        p.standardOutput = stdout
        p.standardError = stderr
        let cpu0 = Self.childrenCPU()
        let t0 = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let cpu = Self.childrenCPU() - cpu0
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            let message = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            let how = p.terminationReason == .exit ? "exit status \(p.terminationStatus)" : "killed by signal \(p.terminationStatus)"
            printError("error: schedlab run \(p.arguments!.dropFirst().joined(separator: " ")) failed (\(how)):\n\(message)")
            let badInput = p.terminationReason == .exit && p.terminationStatus == CLIExit.badInput.rawValue
            throw badInput ? CLIExit.badInput : CLIExit.simulationFailed
        }
        guard let summary = Summary(parsing: text) else {
            printError("error: schedlab run \(p.arguments!.dropFirst().joined(separator: " ")) printed no summary:\n\(text)")
            throw ExitCode.failure
        }
        return Run(wall: wall, cpu: cpu, summary: summary)
    }

    /// User + system CPU seconds of the waited-for children so far.
    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    func run() throws {
        let list: [Entry], extra: [String]
        do {
            // The file is loaded whole first: a bad one stops here, before any run.
            extra = try seedArguments()
            list = try entries()
        } catch {
            throw reportInputError(error)
        }
        if !extra.isEmpty { printError("note: \(path) sets no seed; every run uses --seed 1") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedlab-bench-scenario-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var runs = Array(repeating: [Run](), count: list.count)
        for round in 1...rounds {
            for (k, entry) in list.enumerated() {
                let run = try time(entry, in: dir, tag: "\(round)-\(k)", extra: extra)
                runs[k].append(run)
                printError(String(format: "round %d/%d  %@  %.2f s", round, rounds, entry.name, run.wall))
            }
        }
        print(Self.render(names: list.map(\.name), runs: runs, path: path, rounds: rounds))
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        precondition(!s.isEmpty, "the median of no values")
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The table: per entry its fastest and median wall and CPU seconds, and their ratios to the first entry's.
    static func render(names: [String], runs: [[Run]], path: String, rounds: Int) -> String {
        var table = TextTable(
            header: ["variant", "policy", "events", "preemptions", "unfinished", "wall s (min / median)",
                     "cpu s (min / median)", "vs file (min / median)"],
            rightAligned: [2, 3, 4, 5, 6, 7])
        let reference = (fastest: runs[0].map(\.wall).min()!, median: median(runs[0].map(\.wall)))
        for k in names.indices {
            let walls = runs[k].map(\.wall), cpus = runs[k].map(\.cpu), s = runs[k][0].summary
            let fastest = walls.min()!, middle = median(walls)
            table.rows.append([
                names[k], s.policy, "\(s.events)", "\(s.preemptions)", "\(s.unfinished)",
                String(format: "%.2f / %.2f", fastest, middle),
                String(format: "%.2f / %.2f", cpus.min()!, median(cpus)),
                k == 0 ? "1.0x" : String(format: "%.1fx / %.1fx", fastest / reference.fastest, middle / reference.median),
            ])
        }
        return "\(path): \(rounds) round(s) of `schedlab run FILE --no-db --quiet`, then the same with `--variant NAME` for "
            + "each variant, each a process of its own\n" + table.render()
    }
}

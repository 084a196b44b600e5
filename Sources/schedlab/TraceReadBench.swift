import Foundation
import Workload

/// `schedlab bench --trace FILE`: reads and validates one canonical trace CSV (`TraceReader.read`, what `run` and
/// `trace stats` do with a scenario's trace: the file read, every row checked, jobs sorted) `runs` times after one
/// warm-up read, and prints the median and best wall and CPU milliseconds. Tests/Benchmarks/trace-read.sh times
/// Python's `csv.DictReader` over the same file in the same run.
struct TraceReadBench {
    var path: String
    var runs: Int

    func run() throws {
        var wall: [Double] = []
        var cpu: [Double] = []
        var jobs = 0
        for attempt in 0...runs {
            let t = BenchTiming.start()
            let parsed: TraceReader.Parsed
            do {
                parsed = try TraceReader.read(path: path, skipBadRows: false)
            } catch {
                throw reportInputError(error)
            }
            let d = t.stop()
            jobs = parsed.jobs.count
            // The first read warms the page cache and the allocator; it is not counted.
            if attempt > 0 {
                wall.append(d.wall * 1000)
                cpu.append(d.cpu * 1000)
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "trace read: %@, %d jobs, %.1f MB; %d runs after a warm-up", path, jobs, Double(bytes) / 1e6, runs))
        var table = TextTable(header: ["", "median ms", "best ms", "MB/s (median)"], rightAligned: [1, 2, 3])
        for (name, values) in [("wall", wall), ("cpu", cpu)] {
            let m = Self.median(values)
            table.rows.append([name, String(format: "%.2f", m), String(format: "%.2f", values.min() ?? 0),
                               String(format: "%.0f", Double(bytes) / 1e6 / (m / 1000))])
        }
        print(table.render())
        // One line for scripts (Tests/Benchmarks/trace-read.sh).
        print(String(format: "swift_trace_read_ms median=%.3f best=%.3f cpu_median=%.3f jobs=%d",
                     Self.median(wall), wall.min() ?? 0, Self.median(cpu), jobs))
    }

    /// The middle value (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

import Foundation

/// Rows and seconds per result table of one `completeRun`, and the commit: the benchmark's rows/s figures.
public struct WriteStatistics: Sendable, Equatable {
    /// One table's share of the write.
    public struct Table: Sendable, Equatable {
        /// The table's name (`jobs`, `allocations`, `samples`, `summary`, `links`).
        public var name: String
        /// Rows inserted.
        public var rows: Int
        /// Wall seconds spent inserting them.
        public var seconds: Double
        /// Rows per second (0 when no time was measured).
        public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    /// The tables in the order they were written.
    public var tables: [Table] = []
    /// Wall seconds of the commit (writing the transaction to the WAL and syncing it).
    public var commitSeconds = 0.0
    /// Wall seconds of the whole call, from the start of the transaction to the end of the commit; for a
    /// `StreamingRun`, from `finish` (the end of the simulation) to the end of the commit.
    public var totalSeconds = 0.0
    /// Rows a `StreamingRun` was handed while the simulation ran, inserted as they came as far as the writing thread
    /// kept up (0 for `completeRun`).
    public var rowsWhileSimulating = 0
    /// Wall seconds the writing thread spent inserting those rows (hidden behind the simulation when a core is free).
    public var secondsWhileSimulating = 0.0
    /// CPU seconds of the writing thread over the same stretch: unlike wall time, barely moved by other processes.
    public var cpuSeconds = 0.0

    /// Empty statistics.
    public init() {}

    /// Rows over every table.
    public var rows: Int { tables.reduce(0) { $0 + $1.rows } }

    /// Appends a table's figures.
    mutating func record(_ name: String, rows: Int, since start: UInt64) {
        tables.append(Table(name: name, rows: rows, seconds: Self.seconds(since: start)))
    }

    /// Adds rows and the seconds since `start` to a table's figures, appending the table the first time.
    mutating func add(_ name: String, rows: Int, since start: UInt64) {
        let seconds = Self.seconds(since: start)
        if let k = tables.firstIndex(where: { $0.name == name }) {
            tables[k].rows += rows
            tables[k].seconds += seconds
        } else {
            tables.append(Table(name: name, rows: rows, seconds: seconds))
        }
    }

    /// The calling thread's CPU seconds so far.
    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Monotonic nanoseconds now.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Seconds from `start` (a `now()` reading) to now.
    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}

/// Errors raised by result sinks beyond those of the database itself.
public enum RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run ID does not exist.
    case unknownRun(id: Int64)
    /// The run has already left `running` (was completed or failed), so it cannot be finished again.
    case runNotRunning(id: Int64, status: String)
    /// A stored value could not be read back (e.g. a malformed timestamp written by another tool).
    case malformedValue(column: String, value: String)
    /// An allocation names a node or GPU the topology given to the sink does not have (the wrong topology).
    case allocationOutsideCluster(job: Int64, node: Int64)
    /// The database was written by a newer SchedLab: its schema version (`database`) is beyond the newest this
    /// binary knows (`supported`). Nothing was written to it.
    case newerSchema(database: String, supported: String)

    public var description: String {
        switch self {
        case .unknownRun(let id):
            return "run \(id) does not exist"
        case .runNotRunning(let id, let status):
            return "run \(id) is '\(status)', not 'running'"
        case .malformedValue(let column, let value):
            return "malformed value in \(column): \(value)"
        case .allocationOutsideCluster(let job, let node):
            return "job \(job)'s allocation on node \(node) is outside the run's cluster"
        case .newerSchema(let database, let supported):
            return "the database's schema is \(database), newer than this SchedLab's \(supported): it was written by a "
                + "newer SchedLab; open it with that version (nothing was written)"
        }
    }
}

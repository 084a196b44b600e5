import Foundation
import Workload

/// What a scenario path must be before it is read: an existing regular file.
///
/// Foundation's own errors for the other cases are opaque ("NSCocoaErrorDomain error 256" for a directory, "You
/// don't have permission" for a FIFO), and reading a FIFO or a device may block or never end; the file's type,
/// from `stat` (which opens nothing), says what is wrong in words.
enum ScenarioFile {
    /// Throws an `InputError` naming `path` unless it is a regular file (a symbolic link to one is fine).
    static func requireRegular(_ path: String) throws(InputError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw InputError(file: path, message: "cannot read the scenario file (\(reason))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw InputError(file: path, message: "is a directory, expected a YAML scenario file")
        case S_IFIFO: throw InputError(file: path, message: "is a FIFO (named pipe), not a regular file; expected a YAML scenario file")
        case S_IFCHR, S_IFBLK: throw InputError(file: path, message: "is a device, not a regular file; expected a YAML scenario file")
        case S_IFSOCK: throw InputError(file: path, message: "is a socket, not a regular file; expected a YAML scenario file")
        default: throw InputError(file: path, message: "is not a regular file; expected a YAML scenario file")
        }
    }
}

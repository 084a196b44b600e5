/// A converter from one raw public trace format to SchedLab's canonical trace rows.
public protocol TraceImporter {
    /// Converts the text of one raw trace file; `file` names it in errors (and, for some formats, in job IDs).
    /// With `skipBadRows`, a malformed record is left out and reported in `skipped` instead of failing;
    /// a missing header or column, or unreadable structure, always fails.
    static func convert(text: String, file: String, skipBadRows: Bool) throws(InputError) -> ImportResult
}

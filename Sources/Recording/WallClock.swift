import Foundation

/// Wall-clock timestamps as stored in `runs.wall_start` / `runs.wall_end`.
///
/// ISO-8601 in UTC with milliseconds: sorts lexically in time order, reads in any tool, and pandas/sqlite
/// parse it directly. Sub-millisecond precision is dropped, which no reader of run times needs.
enum WallClock {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// Formats a date for storage.
    static func format(_ date: Date) -> String { style.format(date) }

    /// Parses a stored timestamp.
    static func parse(_ text: String, column: String) throws -> Date {
        do {
            return try style.parse(text)
        } catch {
            throw RecordingError.malformedValue(column: column, value: text)
        }
    }
}

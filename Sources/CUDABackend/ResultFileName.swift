import Foundation

/// File names of measurement records: KIND-GPU-DATE.json, e.g. "validate-nvidia-h100-80gb-hbm3-20250102T030405Z.json".
public enum ResultFileName {
    /// The name for a `kind` record ("profile", "validate") of `gpu` made at `date` (UTC, to the second).
    public static func make(kind: String, gpu: String, date: Date) -> String {
        "\(kind)-\(slug(gpu))-\(stamp(date)).json"
    }

    /// Lowercase letters and digits, every other run of characters one "-", none at either end.
    public static func slug(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) }
            else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "unknown-gpu" : out
    }

    /// yyyyMMdd'T'HHmmss'Z' in UTC.
    static func stamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: date)
    }
}

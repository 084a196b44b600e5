/// SchedLab's version: the semantic version of the release, and the git commit the binary was built from
/// (`BuildInfo`, written at build time by BuildInfoPlugin).
enum CodeVersion {
    /// SchedLab's semantic version. Bump it together with CHANGELOG.md and CITATION.cff (a test checks the three
    /// agree); what each part of the number may change is in CONTRIBUTING.md, "Versions".
    static let release = "0.1.0"

    /// The full SHA of the commit the binary was built from; nil when it was built outside a git checkout.
    static var commit: String? { BuildInfo.commit }

    /// Whether tracked files had uncommitted changes when the binary was built.
    static var modified: Bool { BuildInfo.modified }

    /// What every run records as `code_version`: "0.1.0+g<12 hex digits>[-dirty]", or "0.1.0" without a commit.
    static var current: String {
        guard let commit else { return release }
        return "\(release)+g\(commit.prefix(12))\(modified ? "-dirty" : "")"
    }

    /// What `schedlab --version` prints: "0.1.0 (commit <full SHA>)", ", modified" after the SHA when built with
    /// uncommitted changes, "(commit unknown)" when built outside a git checkout.
    static var versionLine: String {
        guard let commit else { return "\(release) (commit unknown)" }
        return "\(release) (commit \(commit)\(modified ? ", modified" : ""))"
    }
}

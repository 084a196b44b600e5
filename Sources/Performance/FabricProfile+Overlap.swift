import Network

/// A fabric profile's overlap as a kind this module predicts with.
extension FabricProfile {
    /// The overlap the profile's parameters were fitted under (`exponent` when it names none).
    ///
    /// The fitted values compensate for that overlap's idea of exposed communication, so whoever predicts with the
    /// profile must use the same one; each caller says so in its own terms (a scenario field, a command-line flag).
    public func fittedOverlap() throws(Problem) -> OverlapKind {
        let name = overlap ?? OverlapKind.exponent.rawValue
        guard let kind = OverlapKind(rawValue: name) else {
            let accepted = OverlapKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem(field: "overlap", message: "expected one of \(accepted), got '\(name)'")
        }
        return kind
    }
}

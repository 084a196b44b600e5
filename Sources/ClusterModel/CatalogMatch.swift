/// Matching a device name reported by the driver to a GPUCatalog entry.
public enum CatalogMatch {
    /// The catalog type for `deviceName` with `memoryBytes` of device memory, or nil when unknown.
    ///
    /// Matches whole tokens of the lowercased name (split at anything not a letter or digit), so "L40S" is not "l4"
    /// and "A100" is not "a10". Memory splits A100 (above 50 GB → a100-80) and V100 (above 20 GB → v100-32).
    /// Note that the h100 entry holds SXM5 figures; a PCIe or NVL H100 matches it too but has a lower peak.
    public static func gpuType(deviceName: String, memoryBytes: Int) -> GPUType? {
        let tokens = Set(deviceName.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init))
        let gb = Double(memoryBytes) / 1e9
        let name: String?
        if tokens.contains("h200") { name = "h200" }
        else if tokens.contains("h100") { name = "h100" }
        else if tokens.contains("a100") { name = gb > 50 ? "a100-80" : "a100-40" }
        else if tokens.contains("v100") { name = gb > 20 ? "v100-32" : "v100-16" }
        else if tokens.contains("l4") { name = "l4" }
        else if tokens.contains("t4") { name = "t4" }
        else if tokens.contains("a10") { name = "a10" }
        else if tokens.contains("p100") { name = "p100" }
        else { name = nil }
        return name.flatMap(GPUCatalog.named)
    }
}

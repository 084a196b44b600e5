import ClusterModel

/// Maps the GPU type names of public traces to SchedLab GPU catalog names.
enum GPUTypeNames {
    /// Alibaba openb `gpu_spec` / node `model` names.
    static let openb: [String: String] = [
        "V100M16": "v100-16", "V100M32": "v100-32", "T4": "t4", "A10": "a10", "P100": "p100", "G2": "g2", "G3": "g3",
    ]
    /// Alibaba PAI 2020 `gpu_type` names (`MISC`, mixed older models, is `pai2020AnyType`).
    static let pai2020: [String: String] = ["V100": "v100-16", "V100M32": "v100-32", "P100": "p100", "T4": "t4"]
    /// The PAI 2020 `gpu_type` that means "any type" (the canonical field is left empty, not counted).
    static let pai2020AnyType = "MISC"

    /// `table[name]` if it names a type in the catalog (nil when unmapped or not in this build's catalog).
    static func catalogName(_ name: String, in table: [String: String]) -> String? {
        guard let mapped = table[name], GPUCatalog.named(mapped) != nil else { return nil }
        return mapped
    }
}

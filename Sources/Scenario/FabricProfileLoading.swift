import Crypto
import Foundation
import Network
import Performance
import Workload

extension ScenarioLoader {
    /// `fabric` with the parameters of the fabric profile at `file` (relative to the scenario) applied; the profile's
    /// bytes join the scenario hash. A missing, unreadable or invalid profile is an error at `network.fabric_profile`;
    /// one fitted under another overlap than the scenario's `overlap` (`FabricProfile.overlap`) at `network.overlap`.
    static func fittedFabric(
        _ file: String, over fabric: FabricSpec, overlap: OverlapKind, scenarioPath: String, hasher: inout SHA256,
        fail: (String, String) -> InputError
    ) throws(InputError) -> FabricSpec {
        let field = "network.fabric_profile"
        let base = URL(fileURLWithPath: scenarioPath).deletingLastPathComponent()
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : base.appendingPathComponent(file)
        // A device or FIFO would be read forever: only a regular file is a profile.
        if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType, type != .typeRegular {
            throw fail(field, "\(url.path) is not a regular file; expected the JSON written by `schedlab fit -o`")
        }
        let data: Data
        let profile: FabricProfile
        do {
            data = try Data(contentsOf: url)
            profile = try FabricProfile.decode(data)
        } catch {
            throw fail(field, "cannot read the fabric profile \(url.path) (\(error)); expected the JSON written by `schedlab fit -o`")
        }
        hasher.update(data: data)
        let fitted: OverlapKind
        do throws(FabricProfile.Problem) { fitted = try profile.fittedOverlap() } catch { throw fail(field, "\(url.path): \(error)") }
        guard fitted == overlap else {
            throw fail("network.overlap", "the fabric profile \(url.path) was fitted with overlap '\(fitted.rawValue)', the scenario uses "
                + "'\(overlap.rawValue)'; expected the same (set network.overlap: \(fitted.rawValue), or refit with --overlap \(overlap.rawValue))")
        }
        do throws(FabricProfile.Problem) {
            return try profile.applied(to: fabric)
        } catch {
            throw fail(field, "\(url.path): \(error)")
        }
    }
}

import Foundation
import InputProbe

/// The directory fuzzed scenarios are loaded from, so that the seed corpus's relative trace paths resolve:
/// FUZZ_SCENARIO_DIR, or the repository's Scenarios/ (this file is Fuzz/FuzzScenarioLoader/FuzzScenarioLoader.swift).
let scenarioPath = (ProcessInfo.processInfo.environment["FUZZ_SCENARIO_DIR"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scenarios").path) + "/fuzz-input.yaml"

/// libFuzzer's entry point: one scenario file's bytes. Anything but a located rejection or a bounded run (a trap, an
/// abort, a hang past -timeout) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8) else { return 0 }
    // A run failing for an input reason after the loader accepted the input is a finding: crash so libFuzzer keeps it.
    if case .runFailed(let message) = InputProbe.scenario(text, path: scenarioPath, simulateJobs: 50) {
        fatalError("check accepted what run rejects: \(message)")
    }
    return 0
}

/// libFuzzer's driver: parses the command line and calls the test function with each input.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable target's entry point as `MODULE_main`; this one hands the process to libFuzzer's driver.
@_cdecl("FuzzScenarioLoader_main")
public func fuzzScenarioLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments, { data, size in fuzzScenario(data, size) })
}

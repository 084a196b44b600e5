import InputProbe

/// libFuzzer's entry point: one canonical trace's bytes, read, summarized and re-imported as `trace stats` and
/// `trace import --format canonical` would.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8) else { return 0 }
    _ = InputProbe.trace(text)
    return 0
}

/// libFuzzer's driver: parses the command line and calls the test function with each input.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable target's entry point as `MODULE_main`; this one hands the process to libFuzzer's driver.
@_cdecl("FuzzTraceReader_main")
public func fuzzTraceReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments, { data, size in fuzzTrace(data, size) })
}

import CCUDA

/// The CUDA driver, runtime, cuBLAS and (optionally) NCCL, opened with dlopen once per process.
public enum CUDALibrary {
    private static let loaded: Result<String, HardwareError> = {
        var err = [CChar](repeating: 0, count: 4096)
        let status = ccuda_load(&err, err.count)
        guard status == CCUDA_OK else {
            return .failure(.unavailable(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        var names = [CChar](repeating: 0, count: 512)
        ccuda_loaded_libraries(&names, names.count)
        return .success(String(decoding: names.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }()

    /// Loads CUDA (first call only) and returns the library files opened, "; "-separated. Throws
    /// `HardwareError.unavailable` saying which library failed to load (every file name tried), which symbol is
    /// missing, or which call reported no device.
    @discardableResult
    public static func load() throws -> String {
        try loaded.get()
    }
}

/// Throws the CCUDA error of a failed call: the function, its error code and string.
func cudaCheck(_ status: Int32) throws {
    guard status != CCUDA_OK else { return }
    let message = String(cString: ccuda_last_error())
    throw status == CCUDA_UNAVAILABLE ? HardwareError.unsupported(message) : HardwareError.callFailed(message)
}

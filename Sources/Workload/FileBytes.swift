import Foundation

/// A whole file read into memory in one go, and the ASCII check that lets a trace skip UTF-8 decoding.
enum FileBytes {
    /// The bytes of the file at `path`, read with a few large `read(2)` calls; nil on any error (the caller then
    /// reports it through Foundation, with Foundation's wording).
    static func contents(path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // The size is a hint: a file that grows while it is read is read to its end.
        // One byte more than the size, so that reaching the end takes no extra allocation.
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 1 << 16))) }
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { break }
            filled += got
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { isASCII($0) }
    }

    /// Whether every byte is below 0x80.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        isASCII(UnsafeRawBufferPointer(bytes))
    }

    /// Whether every byte is below 0x80 (eight at a time).
    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        var bits: UInt64 = 0
        while i + 8 <= raw.count {
            bits |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < raw.count {
            bits |= UInt64(raw[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }
}

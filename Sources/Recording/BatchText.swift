/// The text of one batch of bound rows (`BulkInsert`), copied into reused memory and kept until the batch has
/// executed, so that SQLite may read it in place (`SQLITE_STATIC`) instead of copying every value into a buffer of its
/// own.
///
/// Why: with `SQLITE_TRANSIENT` each text bind allocates a copy and frees the parameter's previous one, about 470
/// instructions a value (callgrind, 20k-job bench run: `sqlite3_bind_text` was 11% of the write); here a value costs
/// one `memcpy` into a chunk that the next batch reuses. Values are NUL-terminated and bound with length -1, as
/// `withCString` and GRDB bind them, so text stops at its first NUL byte on both write paths alike.
final class BatchText {
    /// Bytes per chunk; a longer value gets memory of its own, freed at `reset`.
    static let chunkBytes = 1 << 16

    private var chunks: [UnsafeMutableRawPointer] = []
    /// The chunk being filled, and the bytes of it used so far.
    private var current = -1
    private var used = BatchText.chunkBytes
    /// Values longer than a chunk, of the current batch.
    private var large: [UnsafeMutableRawPointer] = []

    deinit {
        for p in chunks { p.deallocate() }
        for p in large { p.deallocate() }
    }

    /// A NUL-terminated copy of `value`'s UTF-8 bytes, valid until `reset`.
    func store(_ value: String) -> UnsafePointer<CChar> {
        var value = value
        // `withUTF8` reads a native string's bytes in place (a bridged one is made native first).
        return value.withUTF8 { store(UnsafeRawBufferPointer($0)) }
    }

    /// A NUL-terminated copy of `bytes`, valid until `reset`.
    func store(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<CChar> {
        let needed = bytes.count + 1
        let target: UnsafeMutableRawPointer
        if needed > Self.chunkBytes {
            target = .allocate(byteCount: needed, alignment: 1)
            large.append(target)
        } else {
            if used + needed > Self.chunkBytes {
                current += 1
                if current == chunks.count { chunks.append(.allocate(byteCount: Self.chunkBytes, alignment: 1)) }
                used = 0
            }
            target = chunks[current] + used
            used += needed
        }
        if let base = bytes.baseAddress { target.copyMemory(from: base, byteCount: bytes.count) }
        target.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        return UnsafePointer(target.assumingMemoryBound(to: CChar.self))
    }

    /// Makes the memory of every value stored so far free for the next batch (the statement holding pointers to it
    /// has executed, and all its text parameters are bound again before it executes next).
    func reset() {
        current = -1
        used = Self.chunkBytes
        for p in large { p.deallocate() }
        large.removeAll(keepingCapacity: true)
    }
}

/// The line of each job id a trace has used so far, for the check that no two rows share one.
///
/// Ids are compared as Swift compares `String`s (canonical equivalence: "é" precomposed equals "e" and a combining
/// accent, the Kelvin sign equals "K"), as the reference reader's `[String: Int]` does. While every id is ASCII, where
/// canonical equivalence is byte equality, ids live in an open-addressing table hashed over their bytes eight at a
/// time: a `Dictionary` keyed by `String` (SipHash, normalization-aware hashing, a retained key per entry) was a
/// quarter of the ITP trace's read. The first id beyond ASCII moves everything to such a `Dictionary`.
struct JobIDLines {
    private var names: [String] = []
    private var lines: [Int] = []
    private var hashes: [UInt64] = []
    /// Index into `names` plus one per slot; 0: empty. The count is a power of two, at least twice the entries.
    private var slots: [Int32]
    /// Every id and its line, once an id beyond ASCII has been seen.
    private var byString: [String: Int]?

    /// An empty index sized for about `capacity` ids.
    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        names.reserveCapacity(capacity)
        lines.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    /// Records that `name` is used on `line` and returns nil, or, when an equal id was recorded before, returns the
    /// line it was first used on and records nothing.
    mutating func insert(_ name: String, line: Int) -> Int? {
        if byString != nil { return insertString(name, line: line) }
        var utf8 = name  // `withUTF8` needs a variable (it may make a bridged string native)
        let found: Int?? = utf8.withUTF8 { bytes -> Int?? in
            guard FileBytes.isASCII(bytes) else { return .none }
            return .some(insertASCII(bytes, name: name, line: line))
        }
        if let found { return found }
        // An id beyond ASCII: from now on, compare as `String`s.
        var all: [String: Int] = [:]
        all.reserveCapacity(names.count * 2)
        for (n, l) in zip(names, lines) { all[n] = l }
        byString = all
        names = []
        lines = []
        hashes = []
        slots = []
        return insertString(name, line: line)
    }

    private mutating func insertString(_ name: String, line: Int) -> Int? {
        if let first = byString![name] { return first }
        byString![name] = line
        return nil
    }

    private mutating func insertASCII(_ bytes: UnsafeBufferPointer<UInt8>, name: String, line: Int) -> Int? {
        let hash = Self.hash(bytes)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let k = Int(slots[slot]) - 1
            if hashes[k] == hash && names[k].utf8.elementsEqual(bytes) { return lines[k] }
            slot = (slot + 1) & mask
        }
        names.append(name)
        lines.append(line)
        hashes.append(hash)
        slots[slot] = Int32(names.count)
        if names.count * 2 > slots.count {
            // Grow to keep probes short: every entry again, in entry order.
            slots = Array(repeating: 0, count: slots.count * 2)
            mask = slots.count - 1
            for (k, h) in hashes.enumerated() {
                var s = Int(truncatingIfNeeded: h) & mask
                while slots[s] != 0 { s = (s + 1) & mask }
                slots[s] = Int32(k + 1)
            }
        }
        return nil
    }

    /// A 64-bit hash of `bytes`, eight at a time (multiply and rotate, then a final mix; the constants are those of
    /// SplitMix64, Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        let raw = UnsafeRawBufferPointer(bytes)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h = (h << 31) | (h >> 33)
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < raw.count {
            tail |= UInt64(raw[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

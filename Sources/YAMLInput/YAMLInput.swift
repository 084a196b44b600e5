// libyaml's event parser, as Yams bundles it (its C target): the checks below read the text's events before Yams builds
// nodes from them. Yams exposes no event API of its own.
import CYaml
import Workload
import Yams

/// YAML text from outside (scenario, include and sweep files, `--set` values, scenarios recorded in a database) made
/// into Yams nodes, after two checks that keep what follows in time proportional to the text.
///
/// - **Keys are scalars.** When a mapping repeats a key, Yams sorts the repeated keys to name them in its error
///   (`Parser.checkDuplicates`), and its ordering of two collections compares their elements lexicographically, asking
///   `<` both ways of every pair of equal elements, at every level: time exponential in the depth of a key that is
///   itself a collection. Fuzzing found files of a few kilobytes that kept `schedlab check` busy for more than a minute
///   (Tests/HostileInputTests/Corpus/scenarios, `found-collection-key-*`). No SchedLab file has a use for such keys,
///   so they are refused. An alias used as a key is accepted when its anchor is on a scalar.
/// - **Aliases do not multiply the document.** An alias stands for a copy of its anchor's node, so nine aliases of a
///   list of nine aliases of … (the "billion laughs") make a tree far larger than the text; a free-form field (an
///   external policy's `params`, sent as JSON) was walked in full. The values aliases add beyond the text's own are
///   capped at `maxAliasExpansion`.
public enum YAMLInput {
    /// Most values (scalars and collections) that aliases may add to a document beyond the ones written in it.
    public static let maxAliasExpansion = 1_000_000

    /// What the checks found wrong, with its line (1-based).
    public enum Finding: Equatable, Sendable {
        /// A mapping key that is a sequence, a mapping, or an alias of one.
        case collectionKey(line: Int, kind: String)
        /// Aliases that would add more than `maxAliasExpansion` values; the line of the alias that crossed it.
        case aliasExpansion(line: Int)

        /// The line it is on.
        public var line: Int {
            switch self {
            case .collectionKey(let line, _), .aliasExpansion(let line): return line
            }
        }

        /// What to tell the user.
        public var message: String {
            switch self {
            case .collectionKey(_, let kind): return "a mapping key must be a plain value, found a \(kind) as a key"
            case .aliasExpansion:
                return "aliases here expand the document by more than \(YAMLInput.maxAliasExpansion) values; write the values out, or alias less"
            }
        }
    }

    /// Yams' `compose(yaml:)` of `text`, after the checks. Throws `InputError` (naming `file` and the line) for what
    /// they find, and what Yams throws for malformed YAML.
    public static func compose(yaml text: String, file: String) throws -> Node? {
        if let finding = check(text) { throw InputError(file: file, line: finding.line, message: finding.message) }
        return try Yams.compose(yaml: text)
    }

    /// The first thing in `text` the checks refuse; nil when there is none, or when the text is not well-formed YAML
    /// (Yams reports that itself). Time and memory linear in the text.
    public static func check(_ text: String) -> Finding? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        let count = bytes.count
        if bytes.isEmpty { bytes = [0] }  // a valid pointer; the length passed is still 0
        return bytes.withUnsafeBufferPointer { buffer -> Finding? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, count)
            var walk = Walk()
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    walk = Walk()
                case YAML_SCALAR_EVENT:
                    walk.ended(values: 1, anchor: event.data.scalar.anchor.map { String(cString: $0) }, scalar: true)
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    let target = walk.anchors[name] ?? (values: 1, scalar: true)
                    if walk.atKey && !target.scalar { return .collectionKey(line: line, kind: "alias of a collection") }
                    walk.added += target.values - 1
                    if walk.added > maxAliasExpansion { return .aliasExpansion(line: line) }
                    walk.ended(values: target.values, anchor: nil, scalar: target.scalar)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    if walk.atKey { return .collectionKey(line: line, kind: isMapping ? "mapping" : "sequence") }
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    walk.open.append(Walk.Open(mapping: isMapping, anchor: anchor.map { String(cString: $0) }))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let closed = walk.open.popLast() { walk.ended(values: closed.values, anchor: closed.anchor, scalar: false) }
                default:
                    break
                }
            }
        }
    }

    /// Where the event walk stands: the open collections, innermost last, the anchors seen (looked up only, never
    /// iterated), and the values aliases added so far.
    private struct Walk {
        struct Open {
            var mapping: Bool
            var anchor: String?
            /// A mapping waits for a key (true) or for that key's value.
            var wantsKey = true
            /// Values in it so far, itself included, aliases expanded.
            var values = 1
        }

        var open: [Open] = []
        var anchors: [String: (values: Int, scalar: Bool)] = [:]
        var added = 0

        /// Whether the next value is a mapping's key.
        var atKey: Bool { open.last.map { $0.mapping && $0.wantsKey } ?? false }

        /// A value of `values` values (aliases expanded) ended: it counts in the collection around it, which, if a
        /// mapping, now wants the other half of the pair; its anchor, if any, now stands for it. Counts are at most
        /// `maxAliasExpansion` plus what the text holds, since a walk stops once aliases add more.
        mutating func ended(values: Int, anchor: String?, scalar: Bool) {
            if let anchor { anchors[anchor] = (values, scalar) }
            guard let last = open.indices.last else { return }
            open[last].values += values
            if open[last].mapping { open[last].wantsKey.toggle() }
        }
    }
}

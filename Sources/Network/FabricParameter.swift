import ClusterModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A free parameter of the fabric that `schedlab fit` can estimate, read and written on a `FabricSpec`.
///
/// Efficiencies multiply a link class's bandwidth everywhere; latencies are the per-ring-step α of one node
/// template's intra-node or NIC links (kept in the spec's `nodeOverrides`, with the template's bandwidth unless an
/// override already replaced it). Each has a valid range, the one scenarios accept for the same field, and an
/// unbounded coordinate the fit moves in: log-odds inside the range for efficiencies, the logarithm for latencies and
/// stream caps,
/// so no step of the optimiser can leave the range or reach zero.
public enum FabricParameter: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `FabricSpec.intraNodeEfficiency`.
    case intraNodeEfficiency
    /// `FabricSpec.nicEfficiency`.
    case nicEfficiency
    /// `FabricSpec.spineEfficiency`.
    case spineEfficiency
    /// `FabricSpec.spineLatencySeconds`.
    case spineLatency
    /// The intra-node link α of nodes built from the named template, seconds.
    case intraNodeLatency(template: String)
    /// The NIC link α of nodes built from the named template, seconds.
    case nicLatency(template: String)
    /// The per-TCP-stream rate cap between nodes built from the named template, bytes per second
    /// (`NodeTemplate.tcpStreamBytesPerSecond`; a connection is capped at it × the template's sockets per connection).
    case tcpStreamCap(template: String)
    /// The node-pair cap between nodes built from the named template, bytes per second (`NodeTemplate.nodePairBytesPerSecond`:
    /// both directions of a collective's traffic between two nodes together).
    case nodePairCap(template: String)

    /// The name used on the command line and in fabric profiles, e.g. `nic_efficiency`, `nic_latency@pollux-g4dn`.
    public var name: String {
        switch self {
        case .intraNodeEfficiency: "intra_node_efficiency"
        case .nicEfficiency: "nic_efficiency"
        case .spineEfficiency: "spine_efficiency"
        case .spineLatency: "spine_latency"
        case .intraNodeLatency(let t): "intra_node_latency@\(t)"
        case .nicLatency(let t): "nic_latency@\(t)"
        case .tcpStreamCap(let t): "tcp_stream_cap@\(t)"
        case .nodePairCap(let t): "node_pair_cap@\(t)"
        }
    }

    /// The parameter's name (`name`).
    public var description: String { name }

    /// The parameter called `name` (see `name`), or nil; template names must be in the catalog.
    public init?(name: String) {
        switch name {
        case "intra_node_efficiency": self = .intraNodeEfficiency
        case "nic_efficiency": self = .nicEfficiency
        case "spine_efficiency": self = .spineEfficiency
        case "spine_latency": self = .spineLatency
        default:
            let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2, NodeTemplateCatalog.named(parts[1]) != nil else { return nil }
            switch parts[0] {
            case "intra_node_latency": self = .intraNodeLatency(template: parts[1])
            case "nic_latency": self = .nicLatency(template: parts[1])
            case "tcp_stream_cap": self = .tcpStreamCap(template: parts[1])
            case "node_pair_cap": self = .nodePairCap(template: parts[1])
            default: return nil
            }
        }
    }

    /// Every name form, for error messages.
    public static let nameForms = ["intra_node_efficiency", "nic_efficiency", "spine_efficiency", "spine_latency",
                                   "intra_node_latency@TEMPLATE", "nic_latency@TEMPLATE", "tcp_stream_cap@TEMPLATE",
                                   "node_pair_cap@TEMPLATE"]

    /// Whether the value is a latency in seconds (else a share).
    public var isLatency: Bool {
        switch self {
        case .spineLatency, .intraNodeLatency, .nicLatency: true
        default: false
        }
    }

    /// Whether the value is a rate in bytes per second.
    public var isRate: Bool {
        switch self {
        case .tcpStreamCap, .nodePairCap: true
        default: false
        }
    }

    /// The accepted values: shares in 0.01...1 (as `network.*_efficiency`), latencies in 0...1 s, stream and node-pair
    /// caps in 1e7...1e14 bytes per second (`tcp_stream_gbps`' and `node_pair_gbps`' 0.01...1e5 GB/s).
    public var range: ClosedRange<Double> { isRate ? 1e7...1e14 : isLatency ? 0...1 : 0.01...1 }

    /// Smallest latency the fit's logarithmic coordinate reaches (1 ns: nothing measurable is shorter).
    public static let smallestFittedLatency = 1e-9

    /// The value in `spec` (a template latency: the override's, else the catalog template's; 0 for unknown names).
    public func value(in spec: FabricSpec) -> Double {
        switch self {
        case .intraNodeEfficiency: return spec.intraNodeEfficiency
        case .nicEfficiency: return spec.nicEfficiency
        case .spineEfficiency: return spec.spineEfficiency
        case .spineLatency: return spec.spineLatencySeconds
        case .intraNodeLatency(let t): return NodeTemplateCatalog.named(t).map { spec.effective($0).intraNode.latencySeconds } ?? 0
        case .nicLatency(let t): return NodeTemplateCatalog.named(t).map { spec.effective($0).nic.latencySeconds } ?? 0
        case .tcpStreamCap(let t): return NodeTemplateCatalog.named(t).flatMap { spec.effective($0).tcpStreamBytesPerSecond } ?? .infinity
        case .nodePairCap(let t): return NodeTemplateCatalog.named(t).flatMap { spec.effective($0).nodePairBytesPerSecond } ?? .infinity
        }
    }

    /// Sets the value in `spec`; a template latency adds an override for the template if it has none.
    public func set(_ value: Double, in spec: inout FabricSpec) {
        switch self {
        case .intraNodeEfficiency: spec.intraNodeEfficiency = value
        case .nicEfficiency: spec.nicEfficiency = value
        case .spineEfficiency: spec.spineEfficiency = value
        case .spineLatency: spec.spineLatencySeconds = value
        case .tcpStreamCap(let name), .nodePairCap(let name):
            guard NodeTemplateCatalog.named(name) != nil else { return }
            let i = spec.nodeOverrides.firstIndex { $0.templateName == name } ?? {
                spec.nodeOverrides.append(NodeFabricOverride(templateName: name))
                return spec.nodeOverrides.count - 1
            }()
            if case .tcpStreamCap = self {
                spec.nodeOverrides[i].tcpStreamBytesPerSecond = value
            } else {
                spec.nodeOverrides[i].nodePairBytesPerSecond = value
            }
        case .intraNodeLatency(let name), .nicLatency(let name):
            guard let template = NodeTemplateCatalog.named(name) else { return }
            let current = spec.effective(template)
            let i = spec.nodeOverrides.firstIndex { $0.templateName == name } ?? {
                spec.nodeOverrides.append(NodeFabricOverride(templateName: name))
                return spec.nodeOverrides.count - 1
            }()
            if case .intraNodeLatency = self {
                spec.nodeOverrides[i].intraNode = LinkParameters(bandwidthBytesPerSecond: current.intraNode.bandwidthBytesPerSecond, latencySeconds: value)
            } else {
                spec.nodeOverrides[i].nic = LinkParameters(bandwidthBytesPerSecond: current.nic.bandwidthBytesPerSecond, latencySeconds: value)
            }
        }
    }

    /// The fit's unbounded coordinate of `value`: log-odds within `range` for shares, ln for latencies. Values at or
    /// past the range's ends map a hair inside it (the coordinate of an end is infinite).
    public func coordinate(of value: Double) -> Double {
        let r = range
        if isRate { return log(min(max(value, r.lowerBound), r.upperBound)) }
        if isLatency { return log(min(max(value, Self.smallestFittedLatency), r.upperBound)) }
        let t = (value - r.lowerBound) / (r.upperBound - r.lowerBound)
        let p = min(max(t, 1e-3), 1 - 1e-3)
        return log(p / (1 - p))
    }

    /// The value at coordinate `u` (inverse of `coordinate(of:)`), always inside `range`.
    public func value(atCoordinate u: Double) -> Double {
        let r = range
        if isRate { return min(max(exp(u), r.lowerBound), r.upperBound) }
        if isLatency { return min(max(exp(u), Self.smallestFittedLatency), r.upperBound) }
        return r.lowerBound + (r.upperBound - r.lowerBound) / (1 + exp(-u))
    }

    /// d value / d coordinate at `u`, for turning the coordinate's standard error into the value's (delta method).
    public func derivative(atCoordinate u: Double) -> Double {
        let r = range
        if isLatency || isRate { return exp(u) }
        let s = 1 / (1 + exp(-u))
        return (r.upperBound - r.lowerBound) * s * (1 - s)
    }

    /// Order: the spec-wide parameters first, then per-template ones by template name.
    public static func < (a: FabricParameter, b: FabricParameter) -> Bool {
        func key(_ p: FabricParameter) -> (Int, String) {
            switch p {
            case .intraNodeEfficiency: (0, "")
            case .nicEfficiency: (1, "")
            case .spineEfficiency: (2, "")
            case .spineLatency: (3, "")
            case .intraNodeLatency(let t): (4, t)
            case .nicLatency(let t): (5, t)
            case .tcpStreamCap(let t): (6, t)
            case .nodePairCap(let t): (7, t)
            }
        }
        return key(a) < key(b)
    }
}

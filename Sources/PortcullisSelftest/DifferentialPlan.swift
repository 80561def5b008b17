import PortcullisPolicy

/// What the differential selftest runs, all of it derived from one seed: for each
/// policy set, its policies and the events tried against them. Set `index` has its
/// own random stream, so one set can be regenerated without the ones before it.
public struct DifferentialPlan: Sendable {
    public let seed: UInt64
    public let tree: ScratchTree
    public let eventsPerSet: Int

    public init(seed: UInt64, root: String, eventsPerSet: Int) {
        self.seed = seed
        self.tree = ScratchTree(root: root)
        self.eventsPerSet = eventsPerSet
    }

    public struct PolicySet: Sendable, Hashable {
        public var index: Int
        public var policies: [Policy]
        public var events: [SelftestEvent]
    }

    public func policySet(_ index: Int) -> PolicySet {
        var rng = SeededRandom(seed: seed, stream: index)
        let policies = PolicyGenerator(tree: tree).policies(&rng, ordinal: index)
        let events = (0..<eventsPerSet).map { n in event(&rng, set: index, number: n) }
        return PolicySet(index: index, policies: policies, events: events)
    }

    func event(_ rng: inout SeededRandom, set: Int, number: Int) -> SelftestEvent {
        if rng.chance(60) { return .exec(rng.pick(tree.programs)) }
        let tool = rng.pick(tree.tools)
        switch tool.kind {
        case .ip:
            return .tool(tool, arguments: ["link", "set", "lo", "mtu", rng.pick(["1280", "1400", "1500", "9000"])])
        case .mknod:
            return .tool(tool, arguments: ["\(tree.nodes)/e\(set)-\(number)", "c", "1", "3"])
        }
    }
}

/// One thing the selftest does and compares: executing a program, or running a
/// tool that uses its capability.
public enum SelftestEvent: Sendable, Hashable, CustomStringConvertible {
    case exec(String)
    case tool(Tool, arguments: [String])

    /// The path executed.
    public var path: String {
        switch self {
        case .exec(let path): return path
        case .tool(let tool, _): return tool.path
        }
    }

    /// The tool whose capability use this is, if any.
    public var tool: Tool? {
        guard case .tool(let tool, _) = self else { return nil }
        return tool
    }

    /// argv[0]: the busybox applet to run.
    public var applet: String {
        switch self {
        case .exec: return "true"
        case .tool(let tool, _): return tool.kind.rawValue
        }
    }

    public var arguments: [String] {
        switch self {
        case .exec: return []
        case .tool(_, let arguments): return arguments
        }
    }

    public var description: String {
        switch self {
        case .exec(let path): return "exec \(path)"
        case .tool(let tool, let arguments):
            return
                "\(tool.path) (\(tool.kind.rawValue)) \(arguments.joined(separator: " ")), "
                + "using \(tool.kind.capability)"
        }
    }
}

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
        let uid = rng.pick(Self.uids)
        switch tool.kind {
        case .ip:
            return .tool(
                tool, arguments: ["link", "set", "lo", "mtu", rng.pick(["1280", "1400", "1500", "9000"])], uid: uid)
        case .mknod:
            return .tool(tool, arguments: ["\(tree.nodes)/e\(set)-\(number)", "c", "1", "3"], uid: uid)
        }
    }

    /// The real uids tools run with (effective uid 0 always, so capabilities stay);
    /// subjects draw their uid conditions from the same few.
    public static let uids: [UInt32] = [0, 0, 0, 0, 1000, 1001]
}

/// One thing the selftest does and compares: executing a program, or running a
/// tool that uses its capability.
public enum SelftestEvent: Sendable, Hashable, CustomStringConvertible {
    case exec(String)
    /// A tool run with real uid `uid` (effective uid 0).
    case tool(Tool, arguments: [String], uid: UInt32)

    /// The path executed.
    public var path: String {
        switch self {
        case .exec(let path): return path
        case .tool(let tool, _, _): return tool.path
        }
    }

    /// The tool whose capability use this is, if any.
    public var tool: Tool? {
        guard case .tool(let tool, _, _) = self else { return nil }
        return tool
    }

    /// argv[0]: the busybox applet to run.
    public var applet: String {
        switch self {
        case .exec: return "true"
        case .tool(let tool, _, _): return tool.kind.rawValue
        }
    }

    /// The real uid it runs with (0 for a plain exec).
    public var uid: UInt32 {
        guard case .tool(_, _, let uid) = self else { return 0 }
        return uid
    }

    public var arguments: [String] {
        switch self {
        case .exec: return []
        case .tool(_, let arguments, _): return arguments
        }
    }

    public var description: String {
        switch self {
        case .exec(let path): return "exec \(path)"
        case .tool(let tool, let arguments, let uid):
            return
                "\(tool.path) (\(tool.kind.rawValue)) \(arguments.joined(separator: " ")), "
                + "using \(tool.kind.capability) with real uid \(uid)"
        }
    }
}

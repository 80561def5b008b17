import PortcullisCompiler
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
        let cgroup = rng.chance(45) ? "/" : rng.pick(Self.eventCgroups.filter { $0 != "/" })
        if rng.chance(60) {
            // Programs ignore their arguments; argument rules see them. A tenth run as
            // another real uid, so that the caller (bash) has that uid.
            let uid = rng.chance(10) ? rng.pick(Self.uids.filter { $0 != 0 }) : 0
            var event = SelftestEvent.exec(
                rng.pick(tree.programs), arguments: rng.pick(Self.programArguments), uid: uid, cgroup: cgroup)
            // A sixth of root's run chrooted into the tree, another sixth in a mount
            // namespace of their own through a bind mount of it: the rules see the same host path.
            if uid == 0, rng.chance(34) {
                if rng.chance(50), tree.chrootable(event.path) != nil {
                    event.view = .chroot(tree.root)
                } else {
                    event.view = .bound(tree.root, at: tree.bindTarget)
                }
            }
            return event
        }
        let tool = rng.pick(tree.tools)
        let uid = rng.pick(Self.uids)
        switch tool.kind {
        case .ip:
            return .tool(
                tool, arguments: ["link", "set", "lo", "mtu", rng.pick(["1280", "1400", "1500", "9000"])], uid: uid,
                cgroup: cgroup)
        case .mknod:
            return .tool(tool, arguments: ["\(tree.nodes)/e\(set)-\(number)", "c", "1", "3"], uid: uid, cgroup: cgroup)
        }
    }

    /// The real uids tools run with (effective uid 0 always, so capabilities stay);
    /// subjects draw their uid conditions from the same few.
    public static let uids: [UInt32] = [0, 0, 0, 0, 1000, 1001]

    /// The cgroup v2 paths events run in (from the root of the hierarchy). Subjects
    /// draw unit and cgroup conditions on them. Two are texts the kernel cannot read
    /// whole: one more than PC_CGROUP_DEPTH levels deep (unknown), one longer than
    /// PC_TASK_TEXT_MAX bytes (cut).
    public static let eventCgroups = [
        "/", "/pcd.slice", "/pcd.slice/pcd-web.service", "/pcd.slice/pcd-web.service/worker",
        "/pcd.slice/pcd-db.service", "/pcd-jobs", "/pcd-jobs/7", deepCgroups.last!, longCgroup,
    ]

    /// 18 levels: /pcd.slice/pcd-web.service/d1/.../d16, and each of its parents.
    static let deepCgroups = (1...16).map { depth in
        "/pcd.slice/pcd-web.service/" + (1...depth).map { "d\($0)" }.joined(separator: "/")
    }

    /// 260 bytes, in a unit's cgroup: `pcd-jobs` prefixes still match at the cut.
    static let longCgroup = "/pcd-jobs/" + String(repeating: "j", count: 250)

    /// Every cgroup the selftest creates, parents before children; it starts each
    /// event's program directly in its cgroup.
    public static let cgroups = ["/", "/pcd.slice", "/pcd.slice/pcd-web.service"] + deepCgroups + [
        "/pcd.slice/pcd-web.service/worker", "/pcd.slice/pcd-db.service", "/pcd-jobs", "/pcd-jobs/7", longCgroup,
    ]

    /// The arguments plain programs (busybox `true`) are run with. Two are texts the
    /// kernel cannot read whole: more than PC_PATH_MAX bytes of arguments (unknown),
    /// and more than PC_TASK_TEXT_MAX bytes (cut).
    static let programArguments: [[String]] = [
        [], [], ["exec"], ["exec", "pod", "--", "sh"], ["get", "pods"], ["get", "exec"], ["deploy", "--prod"],
        ["--prod"], ["x", "9000"], ["delete", "ns", "prod"], ["exec", String(repeating: "a", count: 4100)],
        ["--prod", String(repeating: "b", count: 300)],
    ]
}

/// One thing the selftest does and compares: executing a program (busybox `true`,
/// which ignores its arguments), or running a tool that uses its capability; as
/// real uid `uid` (effective uid 0), started in the cgroup `cgroup`.
public struct SelftestEvent: Sendable, Hashable, CustomStringConvertible {
    /// The path executed.
    public var path: String
    /// The tool whose capability use this is, if any.
    public var tool: Tool?
    /// argv[1...].
    public var arguments: [String]
    public var uid: UInt32
    /// The cgroup v2 path it runs in, from the root of the hierarchy.
    public var cgroup: String
    /// How its program is reached: on the host, or (`path` under the tree's root)
    /// chrooted into the tree by its path inside, or in a mount namespace of its own
    /// where the tree is also bound at another directory, by its path there.
    public var view: View = .host

    public enum View: Sendable, Hashable {
        case host
        case chroot(String)
        case bound(String, at: String)
    }

    public static func exec(_ path: String, arguments: [String] = [], uid: UInt32 = 0, cgroup: String = "/") -> Self {
        SelftestEvent(path: path, tool: nil, arguments: arguments, uid: uid, cgroup: cgroup)
    }

    public static func tool(_ tool: Tool, arguments: [String], uid: UInt32, cgroup: String = "/") -> Self {
        SelftestEvent(path: tool.path, tool: tool, arguments: arguments, uid: uid, cgroup: cgroup)
    }

    /// argv[0]: the busybox applet to run.
    public var applet: String { tool?.kind.rawValue ?? "true" }

    public var description: String {
        let argv = ([applet] + arguments.map { $0.utf8.count > 64 ? "<\($0.utf8.count) bytes>" : $0 }).joined(separator: " ")
        let use = tool.map { ", using \($0.kind.capability)" } ?? ""
        let seen: String
        switch view {
        case .host: seen = ""
        case .chroot(let root): seen = ", chrooted into \(root)"
        case .bound(let root, let target): seen = ", in a mount namespace with \(root) bound at \(target)"
        }
        return "\(tool == nil ? "exec" : "tool") \(path) as `\(argv)`\(use), real uid \(uid), in cgroup \(cgroup)\(seen)"
    }
}

/// How the selftest starts an event's program, and so who calls its exec, as the
/// kernel sees the caller: uid 0 runs it directly from a child of the selftest (a
/// copy of its record: its executable, its arguments); another real uid goes
/// through setpriv(1), then bash, which execs the program (the caller is bash, with
/// that uid). Either way the child starts in the event's cgroup.
public struct SelftestLauncher: Sendable {
    /// The canonical path of the selftest's own executable, and its argv[1...].
    public var executable: String
    public var arguments: [String]
    /// The canonical path of /bin/bash.
    public var bash: String

    public init(executable: String, arguments: [String], bash: String) {
        (self.executable, self.arguments, self.bash) = (executable, arguments, bash)
    }

    public static let setpriv = "/usr/bin/setpriv"
    /// bash's `exec -a` gives busybox its applet name in argv[0].
    public static let bashScript = "exec -a \"$0\" \"$@\""

    /// What to start for `event`: the path executed, argv[0] and argv[1...]. A real
    /// uid other than 0 goes through setpriv: real and effective uid N, with the tools'
    /// capabilities (and DAC override, for the root-only scratch tree) kept as ambient
    /// capabilities, since a busybox whose real and effective uids differ drops its
    /// privileges. Neither setpriv nor bash is under the scratch tree, so no generated
    /// exec rule matches them.
    public func command(_ event: SelftestEvent) -> (path: String, argv0: String, arguments: [String]) {
        guard event.uid != 0 else { return (event.path, event.applet, event.arguments) }
        let uid = String(event.uid)
        let caps = "+net_admin,+mknod,+dac_override"
        return (
            Self.setpriv, "setpriv",
            [
                "--reuid", uid, "--regid", uid, "--clear-groups", "--inh-caps", caps, "--ambient-caps", caps, "--",
                "/bin/bash",
            ] + bashArguments(event)
        )
    }

    func bashArguments(_ event: SelftestEvent) -> [String] {
        ["-c", Self.bashScript, event.applet, event.path] + event.arguments
    }

    /// The task that calls the exec of the event's program, as the kernel knows it.
    public func caller(_ event: SelftestEvent) -> ImageEvaluator.Task {
        event.uid == 0
            ? ImageEvaluator.Task(executable: executable, arguments: arguments, uid: 0, cgroup: event.cgroup)
            : ImageEvaluator.Task(
                executable: bash,
                arguments: ImageEvaluator.Task.readableArguments(argv0: "/bin/bash", bashArguments(event)),
                uid: event.uid, cgroup: event.cgroup)
    }
}

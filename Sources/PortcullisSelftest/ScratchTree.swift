import PortcullisPolicy

/// The files the differential selftest executes, under one root directory: copies
/// of a static busybox (it runs the applet argv[0] names: `true`, `ip`, `mknod`;
/// a static program execs fast under emulation), hardlinks and symlinks. The
/// layout is fixed; the seed chooses policies and events, not files.
public struct ScratchTree: Sendable {
    public enum Entry: Sendable, Hashable {
        case directory(String)
        /// A copy of the busybox.
        case copy(String)
        case hardlink(String, to: String)
        case symlink(String, target: String)
    }

    public let root: String
    /// In creation order: a directory before its content, a file before its links.
    public let entries: [Entry]
    /// Paths executed as `true`: copies, hardlinks, symlinks, and paths through a
    /// symlinked directory.
    public let programs: [String]
    public let tools: [Tool]
    /// Where mknod events create their device nodes.
    public let nodes: String
    /// Where events in a mount namespace of their own see the tree bound again.
    public let bindTarget: String

    /// The directories and file names path patterns are drawn from.
    static let directories = ["a", "ab", "a/b", "b"]
    static let names = ["x", "xy", "y", "h", "ip", "mknod"]

    public init(root: String) {
        self.root = root
        let at = { (relative: String) in "\(root)/\(relative)" }
        let copies = ["a/x", "a/xy", "a/y", "ab/x", "ab/xy", "a/b/x", "a/b/y", "b/x", "b/y"]
        let toolCopies = ["a/ip", "b/ip", "a/b/ip", "a/mknod", "ab/mknod"]
        entries =
            ["a", "ab", "a/b", "b", "l", "n", "v"].map { .directory(at($0)) }
            + (copies + toolCopies).map { .copy(at($0)) }
            + [.hardlink(at("b/h"), to: at("a/x")), .hardlink(at("ab/h"), to: at("a/b/y"))]
            + [
                .symlink(at("l/x"), target: "../a/x"), .symlink(at("l/xy"), target: at("ab/xy")),
                .symlink(at("l/d"), target: "../a"), .symlink(at("l/ip"), target: "../b/ip"),
            ]
        programs = (copies + ["b/h", "ab/h", "l/x", "l/xy", "l/d/x", "l/d/y"]).map(at)
        tools = (toolCopies + ["l/ip"]).map { Tool(kind: $0.hasSuffix("ip") ? .ip : .mknod, path: at($0)) }
        nodes = at("n")
        bindTarget = at("v")
    }

    /// `program` when it can run chrooted into the tree: no absolute symlink on its way
    /// (`l/xy` points at the tree by its full path, which a chroot does not have).
    public func chrootable(_ program: String) -> String? {
        program.hasPrefix(root + "/") && program != "\(root)/l/xy" ? program : nil
    }

    /// Every path the tree creates, links included.
    var paths: [String] {
        entries.compactMap { entry in
            switch entry {
            case .directory: return nil
            case .copy(let path), .hardlink(let path, _), .symlink(let path, _): return path
            }
        }
    }
}

/// A program whose use of a capability the selftest provokes: busybox's `ip`
/// (CAP_NET_ADMIN: `ip link set lo mtu N`) or `mknod` (CAP_MKNOD: a character device).
public struct Tool: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case ip, mknod

        public var capability: Capability {
            switch self {
            case .ip: return Capability(name: "CAP_NET_ADMIN")!
            case .mknod: return Capability(name: "CAP_MKNOD")!
            }
        }
    }

    public var kind: Kind
    public var path: String
}

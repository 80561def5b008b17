import CPortcullisABI
import Glibc

/// Where enforcement lives between daemon runs: links and maps pinned in bpffs,
/// under `<root>/abi-<PC_ABI_VERSION>/`. The pins, not the daemon, keep the
/// programs attached, so a stopped or killed daemon leaves enforcement in force.
public struct Pins: Sendable {
    public static let defaultRoot = "/sys/fs/bpf/portcullis"
    /// The maps that outlive the daemon: the policy slot, task records, events, counters.
    static let maps = [
        "pc_image", "pc_tasks", "pc_events", "pc_stats", "pc_rates", "pc_hits", "pc_meta", "pc_host_mounts", "pc_host_filter",
        "pc_guard",
        "pc_summary", "pc_digest_cache",
    ]

    public let root: String
    public var directory: String { "\(root)/abi-\(PC_ABI_VERSION)" }
    var mapsDirectory: String { "\(directory)/maps" }
    var linksDirectory: String { "\(directory)/links" }

    public init(root: String = Pins.defaultRoot) { self.root = root }

    func map(_ name: String) -> String { "\(mapsDirectory)/\(name)" }
    func link(_ program: String) -> String { "\(linksDirectory)/\(program)" }
    /// The directories that hold pins, root first.
    public var directories: [String] { [root, directory, mapsDirectory, linksDirectory] }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    func createDirectories() throws(BPFError) {
        for dir in directories where !Self.exists(dir) {
            guard mkdir(dir, 0o700) == 0 || errno == EEXIST else {
                throw BPFError("creating \(dir) (is bpffs mounted on /sys/fs/bpf?)")
            }
        }
    }

    /// Removes everything under the root (links first, so programs detach before
    /// their maps go), or only the ABI directories other than this one.
    /// Returns what was removed.
    @discardableResult
    func remove(keepingCurrentABI: Bool) -> [String] {
        var removed: [String] = []
        for abi in Self.entries(root) {
            let dir = "\(root)/\(abi)"
            if keepingCurrentABI && dir == directory { continue }
            for sub in ["links", "maps"] {
                for name in Self.entries("\(dir)/\(sub)") where unlink("\(dir)/\(sub)/\(name)") == 0 {
                    removed.append("\(dir)/\(sub)/\(name)")
                }
                rmdir("\(dir)/\(sub)")
            }
            rmdir(dir)
        }
        if !keepingCurrentABI { rmdir(root) }
        return removed
    }

    static func entries(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

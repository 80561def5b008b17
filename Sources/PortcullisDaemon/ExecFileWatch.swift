import Dispatch
import Glibc
import PortcullisGeneration
import PortcullisPolicy

/// The files exec rules name by literal path are matched by identity too
/// (device, inode). When one is replaced (a package upgrade writes a new inode),
/// the generation must be recompiled: this watches their directories.
public final class ExecFileWatch: @unchecked Sendable {
    private let queue: DispatchQueue
    private let onChange: @Sendable () -> Void
    private var watchers: [String: DirectoryWatcher] = [:]

    init(queue: DispatchQueue, onChange: @escaping @Sendable () -> Void) {
        self.queue = queue
        self.onChange = onChange
    }

    /// Watches the existing directories of every literal exec path in `policies`
    /// (and of their symlinks' targets); stops watching the others. Call on `queue`.
    func follow(_ policies: [Policy]) {
        var directories: Set<String> = []
        for policy in policies {
            for rule in policy.rules {
                guard case .exec(let paths, _, _) = rule.operation else { continue }
                for path in paths.compactMap(\.literalPath) {
                    let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                    directories.insert(parent.isEmpty ? "/" : parent)
                }
            }
        }
        for (dir, _) in watchers where !directories.contains(dir) { watchers[dir] = nil }
        for dir in directories.sorted() where watchers[dir] == nil && PolicyDirectory.isDirectory(dir) {
            guard let watcher = try? DirectoryWatcher(path: dir, queue: queue, onChange: onChange) else { continue }
            watcher.start()
            watchers[dir] = watcher
        }
    }
}

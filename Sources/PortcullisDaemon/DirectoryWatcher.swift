import Dispatch
import PortcullisSystem
import SystemPackage

/// Calls `onChange` once a burst of changes to a directory has settled.
///
/// inotify on the directory, read from a DispatchSource on `queue`. Each event
/// restarts a debounce timer, so a thousand-file rollout is one call. When the
/// directory itself disappears, the watcher polls until it is back.
public final class DirectoryWatcher: @unchecked Sendable {
    public let path: String
    private let queue: DispatchQueue
    private let debounce: DispatchTimeInterval
    private let onChange: @Sendable () -> Void
    private let inotify: FileDescriptor
    private var source: DispatchSourceRead?
    private var pending: DispatchWorkItem?
    private var watch: Int32 = -1

    public init(
        path: String, queue: DispatchQueue, debounce: DispatchTimeInterval = .milliseconds(100),
        onChange: @escaping @Sendable () -> Void
    ) throws(Errno) {
        self.path = path
        self.queue = queue
        self.debounce = debounce
        self.onChange = onChange
        inotify = try Inotify.open()
    }

    /// Starts watching; call on `queue`.
    public func start() {
        arm()
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.rawValue, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.resume()
        self.source = source
    }

    private func arm() {
        watch = (try? Inotify.addWatch(inotify, path: path, mask: [.directoryChanges, .onlyDirectory])) ?? -1
        if watch < 0 {
            // The directory is missing: look again shortly, and rescan when it is back.
            queue.asyncAfter(deadline: .now() + .milliseconds(250)) { [weak self] in
                guard let self else { return }
                self.arm()
                if self.watch >= 0 { self.changed() }
            }
        }
    }

    private func drain() {
        guard let events = try? Inotify.readEvents(inotify), !events.isEmpty else { return }
        if events.contains(where: { $0.mask.contains(.ignored) && $0.watch == watch }) {
            watch = -1
            arm()
        }
        changed()
    }

    private func changed() {
        pending?.cancel()
        let work = DispatchWorkItem { [onChange] in onChange() }
        pending = work
        queue.asyncAfter(deadline: .now() + debounce, execute: work)
    }
}

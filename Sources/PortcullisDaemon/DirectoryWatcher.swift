import Dispatch
import PortcullisGeneration
import PortcullisSystem
import SystemPackage

/// Calls `onChange` when a directory changes: at once for a complete change,
/// and once more after a burst of changes has settled.
///
/// inotify on the directory, read from a DispatchSource on `queue`. A complete
/// change (a file closed after writing, renamed in, its mode or owner
/// changed) calls at once when no burst is under way: an atomic rename is
/// compiled without waiting. Every later event of the burst, and any other
/// (a file created and still being written, a file deleted or renamed away,
/// the directory itself created, deleted or replaced), restarts a quiet timer
/// (`debounce`); when it fires, one more call covers whatever came after the
/// first. Removals wait for the quiet period because they come first in
/// larger operations: `rm -rf` of the directory empties it before removing
/// it, and a directory is created empty before its files are written; either,
/// compiled at once, would put an empty generation in force. A thousand-file
/// rollout is two calls: one at its start, one after it.
///
/// The watch follows the path, not the directory first found there: the parent
/// directory is watched for the path's own name, so a directory deleted and
/// recreated, moved away and replaced, or a symlink swapped to another
/// directory (`ln -sfn new tmp && mv -T tmp path`) is watched again at once and
/// rescanned. A missing path costs nothing while it stays missing: its parent,
/// or when that is missing too the nearest directory above that exists, is
/// watched for the next name to appear. Only an entry that exists and cannot be
/// watched (a symlink to nowhere, a file) is polled, at 250 ms, then less often
/// up to every 4 s while it stays so.
/// A queue overflow (events lost) calls `onOverflow`, then rescans as any change does.
/// An entry `counts` says nothing about (a temporary file written before it is
/// renamed into place, as config management does; a `..data` symlink swapped
/// as Kubernetes does) is a change, never a complete one, and does not begin a
/// burst: the rename of the temporary file into place is still compiled at once.
public final class DirectoryWatcher: @unchecked Sendable {
    public let path: String
    let queue: DispatchQueue
    private let debounce: DispatchTimeInterval
    private let onChange: @Sendable () -> Void
    private let onOverflow: @Sendable () -> Void
    private let counts: @Sendable (String) -> Bool
    private let inotify: FileDescriptor
    private var source: DispatchSourceRead?
    /// The quiet timer of the burst under way; nil when there is none.
    private var pending: DispatchWorkItem?
    /// Changes came after the burst's first call: the quiet timer calls again.
    private var changedSinceCall = false
    /// The burst under way had its call at once: the rest waits for the quiet timer.
    private var calledInBurst = false
    private var watch: Int32 = -1
    private var parentWatch: Int32 = -1
    /// The nearest existing directory above a missing parent, watched for its entries; -1: none.
    private var ancestorWatch: Int32 = -1
    private var polling = false
    /// The next poll's delay: doubled at each poll that finds the path still unwatchable.
    private var pollDelay = DirectoryWatcher.firstPoll
    /// Polls so far (tests: a missing path is not polled).
    private(set) var polls = 0
    /// The parent directory and the path's name in it ("/" has neither).
    private let parent: (directory: String, name: String)?

    public static let defaultDebounce = DispatchTimeInterval.milliseconds(100)
    static let firstPoll = 250  // ms
    static let slowestPoll = 4_000  // ms
    /// Events after which an entry of the directory is whole: worth compiling at once.
    static let completeChanges: Inotify.Mask = [.closeWrite, .movedTo, .attrib]

    public init(
        path: String, queue: DispatchQueue, debounce: DispatchTimeInterval = DirectoryWatcher.defaultDebounce,
        counts: @escaping @Sendable (String) -> Bool = { _ in true },
        onOverflow: @escaping @Sendable () -> Void = {}, onChange: @escaping @Sendable () -> Void
    ) throws(Errno) {
        self.path = path
        self.counts = counts
        self.queue = queue
        self.debounce = debounce
        self.onChange = onChange
        self.onOverflow = onOverflow
        parent = Self.split(path)
        inotify = try Inotify.open()
    }

    deinit {
        source?.cancel()
        pending?.cancel()
    }

    /// `/etc/policies.d` → (`/etc`, `policies.d`); nil for `/`.
    static func split(_ path: String) -> (directory: String, name: String)? {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
        let name = trimmed[trimmed.index(after: slash)...]
        guard !name.isEmpty else { return nil }
        let directory = trimmed[..<slash]
        return (directory.isEmpty ? "/" : String(directory), String(name))
    }

    /// Starts watching; call on `queue`. The descriptor closes when the source is cancelled.
    public func start() {
        arm()
        let source = DispatchSource.makeReadSource(fileDescriptor: inotify.rawValue, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.setCancelHandler { [inotify] in try? inotify.close() }
        source.resume()
        self.source = source
    }

    /// Watches the parent for the path's name, then the path itself. A missing
    /// parent: the nearest existing directory above it, for the next name. An
    /// entry that exists and cannot be watched: polled.
    private func arm() {
        if ancestorWatch >= 0 {
            try? Inotify.removeWatch(inotify, ancestorWatch)
            ancestorWatch = -1
        }
        if parentWatch < 0, let parent {
            parentWatch =
                (try? Inotify.addWatch(inotify, path: parent.directory, mask: [.entryReplaced, .deleteSelf, .onlyDirectory]))
                ?? -1
        }
        if watch >= 0 { try? Inotify.removeWatch(inotify, watch) }
        watch = (try? Inotify.addWatch(inotify, path: path, mask: [.directoryChanges, .onlyDirectory])) ?? -1
        if watch >= 0 && (parent == nil || parentWatch >= 0) {
            pollDelay = Self.firstPoll
            return
        }
        if let parent, parentWatch < 0 {
            ancestorWatch = watchAncestor(of: parent.directory)
            if ancestorWatch < 0 { poll() }
        } else if watch < 0 && PolicyDirectory.hasEntry(path) {
            poll()  // there, but not a directory that can be watched: its parent sees no change when it becomes one
        }
    }

    /// A watch on the nearest existing directory above `directory`, for its entries; -1 when none can be had.
    private func watchAncestor(of directory: String) -> Int32 {
        var at = directory
        while let up = Self.split(at)?.directory {
            if let watch = try? Inotify.addWatch(inotify, path: up, mask: [.entryReplaced, .deleteSelf, .onlyDirectory]) {
                return watch
            }
            at = up
        }
        return -1
    }

    /// Looks again after `pollDelay` (doubled each time, up to 4 s), and rescans once the directory is back.
    private func poll() {
        guard !polling else { return }
        polling = true
        polls += 1
        let delay = pollDelay
        pollDelay = min(pollDelay * 2, Self.slowestPoll)
        queue.asyncAfter(deadline: .now() + .milliseconds(delay)) { [weak self] in
            guard let self else { return }
            self.polling = false
            self.rearm()
        }
    }

    /// Arms again; a path watched now that was not is a change (the directory came back).
    private func rearm() {
        let wasMissing = watch < 0
        arm()
        if wasMissing && watch >= 0 { changed(complete: false) }
    }

    private func drain() {
        guard let events = try? Inotify.readEvents(inotify), !events.isEmpty else { return }
        var relevant = false
        var complete = false
        var replaced = false
        var above = false
        for event in events {
            if event.mask.contains(.queueOverflow) {
                onOverflow()
                replaced = true  // events were lost, the directory's too: watch it afresh
            } else if event.watch == ancestorWatch {
                above = true  // a name appeared or went above the missing parent: look again
                if event.mask.contains(.ignored) || event.mask.contains(.deleteSelf) { ancestorWatch = -1 }
            } else if event.watch == parentWatch {
                if event.mask.contains(.ignored) || event.mask.contains(.deleteSelf) {
                    parentWatch = -1
                    replaced = true
                } else if event.name == parent?.name {
                    replaced = true
                }
            } else if event.watch == watch {
                relevant = true
                let counted = event.name.map(counts) ?? true
                if counted && !event.mask.isDisjoint(with: Self.completeChanges) { complete = true }
                if event.mask.contains(.ignored) || event.mask.contains(.moveSelf) || event.mask.contains(.deleteSelf) {
                    replaced = true
                }
            }
        }
        if replaced {
            arm()
        } else if above {
            rearm()
        }
        if relevant || replaced { changed(complete: complete && !replaced) }
    }

    /// At once when `complete` and no burst is under way; otherwise once the burst is quiet.
    private func changed(complete: Bool) {
        pending?.cancel()
        if complete && !calledInBurst {
            calledInBurst = true
            changedSinceCall = false
            onChange()
        } else {
            changedSinceCall = true
        }
        let work = DispatchWorkItem { [weak self] in
            guard let self else { return }
            self.pending = nil
            self.calledInBurst = false
            if self.changedSinceCall {
                self.changedSinceCall = false
                self.onChange()
            }
        }
        pending = work
        queue.asyncAfter(deadline: .now() + debounce, execute: work)
    }
}

import Dispatch
import Foundation
import Glibc
import Testing

@testable import PortcullisDaemon
import PortcullisGeneration

/// The watcher follows the path: deleted and recreated, moved away and
/// replaced, or a symlink swapped to another directory, the new directory's
/// changes are seen. Each test waits (up to 10 s) for a call, never times one.
@Suite(.serialized) struct DirectoryWatcherTests {
    /// Counts calls; `wait` blocks until there have been more than `seen`.
    final class Calls: @unchecked Sendable {
        private let lock = NSCondition()
        private var count = 0
        var onChange: @Sendable () -> Void {
            { [self] in lock.lock(); count += 1; lock.broadcast(); lock.unlock() }
        }
        var current: Int { lock.lock(); defer { lock.unlock() }; return count }
        /// Whether a call beyond `seen` came within 10 s.
        func wait(beyond seen: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            let deadline = Date().addingTimeInterval(10)
            while count <= seen { if !lock.wait(until: deadline) { return count > seen } }
            return true
        }
        /// Waits until no call has come for `quiet` seconds; returns the count then.
        func settled(quiet: Double = 0.3) -> Int {
            var last = current
            while true {
                Thread.sleep(forTimeInterval: quiet)
                if current == last { return last }
                last = current
            }
        }
    }

    static func scratch() -> String {
        let path = NSTemporaryDirectory() + "watcher-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func write(_ path: String) {
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
    }

    func watch(
        _ path: String, _ calls: Calls, debounce: DispatchTimeInterval = .milliseconds(20),
        counts: @escaping @Sendable (String) -> Bool = { _ in true }
    ) throws -> DirectoryWatcher {
        let queue = DispatchQueue(label: "watcher-test")
        let watcher = try DirectoryWatcher(
            path: path, queue: queue, debounce: debounce, counts: counts, onChange: calls.onChange)
        queue.sync { watcher.start() }
        return watcher
    }

    @Test func seesAFileWritten() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let calls = Calls()
        let watcher = try watch(root, calls)
        Self.write(root + "/a.yaml")
        #expect(calls.wait(beyond: 0))
        withExtendedLifetime(watcher) {}
    }

    @Test func followsADirectoryDeletedAndRecreated() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/policies.d"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let calls = Calls()
        let watcher = try watch(dir, calls)
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let seen = calls.settled()
        #expect(seen >= 1, "the deletion and the new directory are changes")
        Self.write(dir + "/a.yaml")
        #expect(calls.wait(beyond: seen), "a file written in the recreated directory is seen")
        withExtendedLifetime(watcher) {}
    }

    @Test func followsADirectoryMovedAwayAndReplaced() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/policies.d"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: root + "/staged", withIntermediateDirectories: false)
        let calls = Calls()
        let watcher = try watch(dir, calls)
        #expect(rename(dir, root + "/old") == 0)
        #expect(rename(root + "/staged", dir) == 0)
        let seen = calls.settled()
        Self.write(root + "/old/ignored.yaml")  // the old directory is no longer the path
        Self.write(dir + "/a.yaml")
        #expect(calls.wait(beyond: seen), "a file written in the replacement is seen")
        withExtendedLifetime(watcher) {}
    }

    @Test func followsASymlinkSwappedToAnotherDirectory() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["v1", "v2"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: false)
        }
        let link = root + "/policies.d"
        #expect(symlink("v1", link) == 0)
        let calls = Calls()
        let watcher = try watch(link, calls)
        // ln -sfn v2 tmp && mv -T tmp policies.d: one rename replaces the link.
        #expect(symlink("v2", root + "/tmp-link") == 0)
        #expect(rename(root + "/tmp-link", link) == 0)
        #expect(calls.wait(beyond: 0), "the swap itself is a change")
        let seen = calls.settled()
        Self.write(root + "/v2/a.yaml")
        #expect(calls.wait(beyond: seen), "a file written in the new target is seen")
        withExtendedLifetime(watcher) {}
    }

    /// A directory that is not there yet (the vendor directory of a host that has
    /// none) costs no wake-ups: the nearest directory above it that exists is
    /// watched, and its files are seen once it is made, however deep.
    @Test func aMissingDirectoryIsWatchedFromAboveNotPolled() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/lib/portcullis/policies.d"
        let calls = Calls()
        let watcher = try watch(dir, calls)
        Thread.sleep(forTimeInterval: 0.6)
        #expect(watcher.queue.sync { watcher.polls } == 0)
        try FileManager.default.createDirectory(atPath: root + "/lib", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: root + "/lib/portcullis", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let seen = calls.settled()
        #expect(seen >= 1, "the directory made is a change")
        Self.write(dir + "/a.yaml")
        #expect(calls.wait(beyond: seen), "a file written in it is seen")
        #expect(watcher.queue.sync { watcher.polls } == 0)
    }

    /// An entry that cannot be watched (a symlink to nowhere) is polled, less and
    /// less often; once it leads to a directory, that directory's files are seen.
    @Test func aSymlinkToNowhereIsPolledLessAndLessOften() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let link = root + "/policies.d"
        #expect(symlink("v1", link) == 0)
        let calls = Calls()
        let watcher = try watch(link, calls)
        Thread.sleep(forTimeInterval: 1.2)
        // At 0, 250 and 750 ms (the next at 1,750): four or more would be a fixed 250 ms.
        let polls = watcher.queue.sync { watcher.polls }
        #expect((2...3).contains(polls), "\(polls) polls in 1.2 s")
        try FileManager.default.createDirectory(atPath: root + "/v1", withIntermediateDirectories: false)
        #expect(calls.wait(beyond: 0), "the link leading somewhere is a change")
        let seen = calls.settled()
        Self.write(root + "/v1/a.yaml")
        #expect(calls.wait(beyond: seen), "a file written in its target is seen")
    }

    /// A file renamed in is whole: it is compiled at once, not after the quiet
    /// period (30 s here, against a wait of at most 10 s).
    @Test func callsAtOnceForACompleteChange() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/policies.d"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let calls = Calls()
        let watcher = try watch(dir, calls, debounce: .seconds(30))
        Self.write(root + "/staged.yaml")
        #expect(rename(root + "/staged.yaml", dir + "/a.yaml") == 0)
        #expect(calls.wait(beyond: 0), "the rename was not compiled before the quiet period")
        withExtendedLifetime(watcher) {}
    }

    /// As Ansible's copy module does: a temporary file written in the directory,
    /// then renamed into place. The temporary file is no policy file: its
    /// writing is no complete change and begins no burst, so the rename is
    /// compiled at once (not after the quiet period, 30 s here).
    @Test func aTemporaryFileRenamedIntoPlaceIsCompiledAtOnce() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let calls = Calls()
        let watcher = try watch(root, calls, debounce: .seconds(30), counts: PolicyDirectory.isPolicyFile)
        Self.write(root + "/.ansible_tmp_a.yaml")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(calls.current == 0, "writing a temporary file was compiled at once")
        #expect(rename(root + "/.ansible_tmp_a.yaml", root + "/a.yaml") == 0)
        #expect(calls.wait(beyond: 0), "the rename was not compiled before the quiet period")
        withExtendedLifetime(watcher) {}
    }

    /// Kubernetes' ConfigMap swap: `..data`, a symlink to the current version,
    /// replaced by a rename; the policy files are symlinks through it. No
    /// policy file's name is in the events, and it is a change all the same.
    @Test func aDotDataSwapIsAChange() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for version in ["..v1", "..v2"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(version)", withIntermediateDirectories: false)
            Self.write("\(root)/\(version)/x.yaml")
        }
        #expect(symlink("..v1", root + "/..data") == 0)
        #expect(symlink("..data/x.yaml", root + "/x.yaml") == 0)
        let calls = Calls()
        let watcher = try watch(root, calls, counts: PolicyDirectory.isPolicyFile)
        #expect(symlink("..v2", root + "/..data_tmp") == 0)
        #expect(rename(root + "/..data_tmp", root + "/..data") == 0)
        #expect(calls.wait(beyond: 0), "the ..data swap was not seen")
        withExtendedLifetime(watcher) {}
    }

    /// A deletion waits for the quiet period (2 s here): `rm -rf` empties the
    /// directory before removing it, and an empty generation must not be
    /// compiled in between.
    @Test func aDeletionWaitsForTheQuietPeriod() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        Self.write(root + "/a.yaml")
        let calls = Calls()
        let watcher = try watch(root, calls, debounce: .seconds(2))
        #expect(unlink(root + "/a.yaml") == 0)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(calls.current == 0, "a deletion was compiled at once")
        #expect(calls.wait(beyond: 0), "the deletion was never compiled")
        withExtendedLifetime(watcher) {}
    }

    /// A file created and still open is not whole: it is not compiled at once,
    /// only once the burst is quiet (2 s here) or, as here, after it is closed.
    @Test func waitsWhileAFileIsBeingWritten() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let calls = Calls()
        let watcher = try watch(root, calls, debounce: .seconds(2))
        let fd = open(root + "/a.yaml", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(calls.current == 0, "a file just created, still being written, was compiled at once")
        #expect(Glibc.write(fd, "x", 1) == 1)
        close(fd)
        #expect(calls.wait(beyond: 0), "the closed file was never compiled")
        withExtendedLifetime(watcher) {}
    }

    /// Thirty files renamed in one after another: one call at the start of the
    /// burst, one after it, whatever the number of files.
    @Test func aBurstIsOneCallAtItsStartAndOneAfter() throws {
        let root = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/policies.d"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        let calls = Calls()
        let watcher = try watch(dir, calls, debounce: .seconds(2))
        for index in 0..<30 {
            Self.write("\(root)/staged-\(index).yaml")
            #expect(rename("\(root)/staged-\(index).yaml", "\(dir)/\(index).yaml") == 0)
        }
        #expect(calls.settled(quiet: 3) == 2)
        withExtendedLifetime(watcher) {}
    }

    @Test func splitsPathsIntoParentAndName() {
        #expect(DirectoryWatcher.split("/etc/policies.d")! == ("/etc", "policies.d"))
        #expect(DirectoryWatcher.split("/etc/policies.d/")! == ("/etc", "policies.d"))
        #expect(DirectoryWatcher.split("/policies")! == ("/", "policies"))
        #expect(DirectoryWatcher.split("policies")! == (".", "policies"))
        #expect(DirectoryWatcher.split("/") == nil)
    }
}

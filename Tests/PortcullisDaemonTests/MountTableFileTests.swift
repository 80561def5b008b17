import Glibc
import Testing

@testable import PortcullisSystem

/// MountTableFile: the mount table read again only when the kernel reports a
/// change (POLLPRI on the open mountinfo), so a compile pays one poll(2).
@Suite struct MountTableFileTests {
    /// /proc/self/mountinfo, read whole.
    static func mountinfo() -> String? {
        guard let f = fopen("/proc/self/mountinfo", "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = fread(&buffer, 1, buffer.count, f), n > 0 { bytes += buffer[..<n] }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func anUnchangedTableIsReadOnce() throws {
        let table = MountTableFile(path: "/proc/self/mountinfo")
        let first = try #require(table.text())
        #expect(first == Self.mountinfo())
        #expect(table.text() == first)
        #expect(table.text() == first)
        #expect(table.reads == 1)
    }

    /// In a process of its own, in a mount namespace of its own whose mounts do
    /// not propagate (the host's table is untouched; root, as CI runs the
    /// tests): a tmpfs mounted after the first read is in the next text, and
    /// gone from the one after its unmount. The namespace is the calling
    /// thread's (/proc/thread-self: the test process has other threads).
    @Test func aMountIsSeenAtTheNextCall() async {
        await #expect(processExitsWith: .success) {
            // unshare(2), which Glibc's module leaves out (_GNU_SOURCE): CLONE_NEWNS.
            typealias Unshare = @convention(c) (Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare"),
                unsafeBitCast(symbol, to: Unshare.self)(0x0002_0000) == 0,
                mount(nil, "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0
            else { exit(2) }
            let table = MountTableFile(path: "/proc/thread-self/mountinfo")
            guard let before = table.text(), table.text() == before, table.reads == 1 else { exit(3) }
            let directory = "/tmp/portcullis-mtf-\(getpid())"
            mkdir(directory, 0o700)
            defer { rmdir(directory) }
            guard mount("portcullis-test", directory, "tmpfs", 0, nil) == 0 else { exit(4) }
            guard let after = table.text(), table.reads == 2, after.contains(" \(directory) "),
                !before.contains(" \(directory) ")
            else { exit(5) }
            umount(directory)
            guard let back = table.text(), table.reads == 3, !back.contains(" \(directory) ") else { exit(6) }
            exit(0)
        }
    }
}

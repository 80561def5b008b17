import Glibc
import Synchronization
import SystemPackage

/// A mount table file (/proc/self/mountinfo) held open, whose text is read again
/// only when the kernel reports that the mount table changed since the last
/// read: poll(2) on an open mountinfo gives POLLPRI once per change, and taking
/// that report is what poll itself does. A compile then pays one poll(2), not a
/// read and parse of every mount, when nothing was mounted or unmounted.
/// The report is taken before the text is read, so a change during the read is
/// reported at the next call, never lost.
public final class MountTableFile: Sendable {
    private struct State {
        var fd: FileDescriptor?
        var text: String?
        var reads = 0
    }

    public let path: String
    private let state = Mutex(State())

    public init(path: String) { self.path = path }

    /// This process's mount table.
    public static let own = MountTableFile(path: "/proc/self/mountinfo")

    /// The table's text now; nil when it cannot be read (nothing is kept then).
    public func text() -> String? {
        state.withLock { state in
            if state.fd == nil {
                state.fd = try? FileDescriptor.open(path, .readOnly, options: .closeOnExec)
                state.text = nil
            }
            guard let fd = state.fd else { return nil }
            if let text = state.text, !Self.changed(fd) { return text }
            _ = Self.changed(fd)  // the report taken before the read (a fresh descriptor has none)
            state.text = Self.readWhole(fd)
            state.reads += 1
            if state.text == nil {
                try? fd.close()
                state.fd = nil
            }
            return state.text
        }
    }

    /// How many times the text was read (tests).
    var reads: Int { state.withLock { $0.reads } }

    /// Whether the kernel reports a change since the last report (true when poll fails).
    static func changed(_ fd: FileDescriptor) -> Bool {
        var entry = pollfd(fd: fd.rawValue, events: Int16(POLLPRI), revents: 0)
        guard let ready = try? syscallRetryingInterrupts({ poll(&entry, 1, 0) }) else { return true }
        return ready > 0 && entry.revents & Int16(POLLPRI | POLLERR) != 0
    }

    static func readWhole(_ fd: FileDescriptor) -> String? {
        guard (try? fd.seek(offset: 0, from: .start)) != nil else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            guard let count = try? buffer.withUnsafeMutableBytes({ try fd.read(into: $0, retryOnInterrupt: true) })
            else { return nil }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

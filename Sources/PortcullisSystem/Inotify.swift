import Glibc
import SystemPackage

/// inotify(7): watching directories for changes.
public enum Inotify {
    /// The events of inotify(7), as a set.
    public struct Mask: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let attrib = Mask(rawValue: UInt32(IN_ATTRIB))
        public static let closeWrite = Mask(rawValue: UInt32(IN_CLOSE_WRITE))
        public static let create = Mask(rawValue: UInt32(IN_CREATE))
        public static let delete = Mask(rawValue: UInt32(IN_DELETE))
        public static let deleteSelf = Mask(rawValue: UInt32(IN_DELETE_SELF))
        public static let movedFrom = Mask(rawValue: UInt32(IN_MOVED_FROM))
        public static let movedTo = Mask(rawValue: UInt32(IN_MOVED_TO))
        public static let moveSelf = Mask(rawValue: UInt32(IN_MOVE_SELF))
        /// The queue overflowed: events were lost, rescan everything.
        public static let queueOverflow = Mask(rawValue: UInt32(IN_Q_OVERFLOW))
        /// The watch is gone (its directory was deleted or unmounted).
        public static let ignored = Mask(rawValue: UInt32(IN_IGNORED))
        public static let isDirectory = Mask(rawValue: UInt32(IN_ISDIR))
        public static let onlyDirectory = Mask(rawValue: UInt32(IN_ONLYDIR))

        /// Every change to a directory's entries, and to the directory itself.
        public static let directoryChanges: Mask = [
            .attrib, .closeWrite, .create, .delete, .deleteSelf, .movedFrom, .movedTo, .moveSelf,
        ]
        /// An entry appearing, disappearing or being replaced by a rename.
        public static let entryReplaced: Mask = [.create, .delete, .movedFrom, .movedTo]
    }

    public struct Event: Sendable, Hashable {
        public var watch: Int32
        public var mask: Mask
        public var cookie: UInt32
        /// The entry's name inside the watched directory, if the event is about one.
        public var name: String?
    }

    /// A new non-blocking, close-on-exec inotify instance.
    public static func open() throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try syscallRetryingInterrupts { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) })
    }

    /// Watches `path`; returns the watch descriptor.
    public static func addWatch(_ fd: FileDescriptor, path: String, mask: Mask) throws(Errno) -> Int32 {
        try syscallRetryingInterrupts { inotify_add_watch(fd.rawValue, path, mask.rawValue) }
    }

    /// Stops watching; the kernel queues an `ignored` event for the watch.
    public static func removeWatch(_ fd: FileDescriptor, _ watch: Int32) throws(Errno) {
        _ = try syscallRetryingInterrupts { inotify_rm_watch(fd.rawValue, watch) }
    }

    /// Every event queued now; empty when none is (the descriptor is non-blocking).
    public static func readEvents(_ fd: FileDescriptor) throws(Errno) -> [Event] {
        var events: [Event] = []
        let size = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n: Int
            do {
                n = try syscallRetryingInterrupts { read(fd.rawValue, buffer.baseAddress, size) }
            } catch .resourceTemporarilyUnavailable {
                return events
            }
            if n == 0 { return events }
            events += decode(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
    }

    /// Splits a read(2) buffer into events.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        var events: [Event] = []
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= bytes.count {
            let raw = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
            let nameBytes = bytes[(offset + header)..<min(bytes.count, offset + header + Int(raw.len))]
            let name = nameBytes.prefix { $0 != 0 }
            events.append(
                Event(
                    watch: raw.wd, mask: Mask(rawValue: raw.mask), cookie: raw.cookie,
                    name: name.isEmpty ? nil : String(decoding: name, as: UTF8.self)))
            offset += header + Int(raw.len)
        }
        return events
    }
}

import CLinux
import Glibc
import SystemPackage

/// epoll(7), for what Dispatch cannot watch itself: an epoll descriptor is readable
/// while one of its watches has an event, so Dispatch watches the epoll descriptor.
public enum Epoll {
    /// An epoll descriptor watching `fd` for `events` (EPOLLPRI for /proc/self/mountinfo,
    /// which signals a change of the mount table that way).
    public static func watching(_ fd: FileDescriptor, events: UInt32) throws(Errno) -> FileDescriptor {
        let epoll = FileDescriptor(rawValue: try syscallRetryingInterrupts { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        var event = epoll_event()
        event.events = events
        event.data.fd = fd.rawValue
        do {
            _ = try syscallRetryingInterrupts { epoll_ctl(epoll.rawValue, EPOLL_CTL_ADD, fd.rawValue, &event) }
        } catch {
            close(epoll.rawValue)
            throw error
        }
        return epoll
    }

    /// Takes the pending events without waiting; returns how many there were.
    @discardableResult
    public static func drain(_ epoll: FileDescriptor) throws(Errno) -> Int {
        var events = [epoll_event](repeating: epoll_event(), count: 8)
        return Int(try syscallRetryingInterrupts { epoll_wait(epoll.rawValue, &events, Int32(events.count), 0) })
    }

    /// EPOLLPRI, and EPOLLERR, which comes with it for a changed mount table.
    public static let priority = UInt32(EPOLLPRI.rawValue) | UInt32(EPOLLERR.rawValue)
}

import Glibc
import SystemPackage

/// AF_UNIX stream sockets: the daemon's decision feed and its clients.
public enum UnixSocket {
    /// A listening socket bound at `path` (an old socket file there is replaced), mode 0600.
    public static func listen(at path: String, backlog: Int32 = 16) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(
            rawValue: try syscallRetryingInterrupts { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0) })
        do throws(Errno) {
            unlink(path)
            var address = try Self.address(path)
            let previous = umask(0o177)
            defer { umask(previous) }
            _ = try syscallRetryingInterrupts {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            _ = try syscallRetryingInterrupts { Glibc.listen(fd.rawValue, backlog) }
        } catch {
            try? fd.close()
            throw error
        }
        return fd
    }

    /// A connection to the socket at `path`.
    public static func connect(to path: String) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(
            rawValue: try syscallRetryingInterrupts { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) })
        do throws(Errno) {
            var address = try Self.address(path)
            _ = try syscallRetryingInterrupts {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
        } catch {
            try? fd.close()
            throw error
        }
        return fd
    }

    /// A pending connection, non-blocking and close-on-exec; nil when none is waiting.
    public static func accept(_ listener: FileDescriptor) throws(Errno) -> FileDescriptor? {
        let raw: Int32
        do {
            raw = try syscallRetryingInterrupts { Glibc.accept(listener.rawValue, nil, nil) }
        } catch .resourceTemporarilyUnavailable {
            return nil
        }
        _ = fcntl(raw, F_SETFD, FD_CLOEXEC)
        _ = fcntl(raw, F_SETFL, fcntl(raw, F_GETFL) | O_NONBLOCK)
        return FileDescriptor(rawValue: raw)
    }

    /// Sends all of `bytes` without blocking and without SIGPIPE; false when the
    /// peer is gone or cannot take them now (the caller drops that client).
    public static func sendWithoutBlocking(_ fd: FileDescriptor, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                send(fd.rawValue, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    static func address(_ path: String) throws(Errno) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw Errno.fileNameTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        return address
    }
}

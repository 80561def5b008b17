import Foundation
import Glibc
import PortcullisJournal
import Testing

/// sd_notify against a datagram socket standing in for systemd's. The tests set
/// $NOTIFY_SOCKET and $WATCHDOG_USEC, so they run one at a time.
@Suite(.serialized) struct SystemdNotifyTests {
    /// Binds a datagram socket, points $NOTIFY_SOCKET at it, runs `body`, and
    /// returns the datagrams that arrived.
    func datagrams(_ body: () -> Void) throws -> [String] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("portcullis-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
            unsetenv("NOTIFY_SOCKET")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        setenv("NOTIFY_SOCKET", path, 1)
        body()
        var received: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let n = recv(fd, &buffer, buffer.count, 0), n > 0 {
            received.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
        return received
    }

    @Test func readyCarriesTheStatusOnOneLine() throws {
        let sent = try datagrams { SystemdNotify.ready(status: "generation 1 applied\nsecond line") }
        #expect(sent == ["READY=1\nSTATUS=generation 1 applied second line"])
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        var before = timespec()
        clock_gettime(CLOCK_MONOTONIC, &before)
        let sent = try datagrams { SystemdNotify.reloading() }
        let lines = try #require(sent.first).split(separator: "\n")
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(lines.last.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) })
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(usec >= UInt64(before.tv_sec) * 1_000_000)
    }

    @Test func statusWatchdogAndStopping() throws {
        let sent = try datagrams {
            SystemdNotify.status("gen 2")
            SystemdNotify.watchdog()
            SystemdNotify.stopping()
        }
        #expect(sent == ["STATUS=gen 2", "WATCHDOG=1", "STOPPING=1"])
    }

    @Test func watchdogIntervalFollowsTheEnvironment() {
        defer { unsetenv("WATCHDOG_USEC") }
        unsetenv("WATCHDOG_USEC")
        #expect(SystemdNotify.watchdogInterval() == nil)
        setenv("WATCHDOG_USEC", "2000000", 1)
        #expect(SystemdNotify.watchdogInterval() == .seconds(2))
    }
}

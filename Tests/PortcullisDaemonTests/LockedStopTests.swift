import Glibc
import PortcullisJournal
import Synchronization
import Testing

@testable import PortcullisDaemon

/// A locked daemon heeds a stop signal only when PID 1 says the system is
/// shutting down; then it lets PID 1 signal it as it will.
@Suite struct LockedStopTests {
    typealias Fixture = DaemonReloadTests.Fixture

    @Test func unlockedItStopsWhateverTheSystemsState() throws {
        let fixture = try Fixture(lock: false, systemState: { "running" })
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/bin/a"])
        fixture.daemon.reload()
        #expect(fixture.daemon.stopAllowed(on: "SIGTERM"))
        #expect(!fixture.kernel.shutdownSignalsAllowed)
        #expect(fixture.entries.with(.tamperRefused).isEmpty)
    }

    @Test func lockedItRefusesAStopOutsideShutdownAndLogsIt() throws {
        for state in ["running", "degraded", "starting", nil] as [String?] {
            let fixture = try Fixture(lock: true, systemState: { state })
            defer { fixture.cleanUp() }
            fixture.write("a", denying: ["/usr/bin/a"])
            fixture.daemon.reload()
            #expect(fixture.entries.with(.locked).count == 1)
            #expect(!fixture.daemon.stopAllowed(on: "SIGTERM"), "state \(state ?? "nil")")
            #expect(!fixture.kernel.shutdownSignalsAllowed)
            let refused = fixture.entries.with(.tamperRefused)
            #expect(refused.count == 1)
            #expect(refused.first?.message.contains("SIGTERM refused: enforcement is locked until reboot") == true)
            #expect(try fixture.state()?.tampering?.refused == 1)
        }
    }

    @Test func lockedItStopsAtShutdownAndOpensItselfToPID1() throws {
        let asked = Atomic<Int>(0)
        let fixture = try Fixture(lock: true, systemState: { asked.add(1, ordering: .relaxed); return "stopping" })
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/bin/a"])
        fixture.daemon.reload()
        #expect(asked.load(ordering: .relaxed) == 0)  // asked only when a stop signal comes
        #expect(fixture.daemon.stopAllowed(on: "SIGTERM"))
        #expect(asked.load(ordering: .relaxed) == 1)
        #expect(fixture.kernel.shutdownSignalsAllowed)
        #expect(fixture.entries.with(.tamperRefused).isEmpty)
    }
}

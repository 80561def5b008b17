import Glibc
import PortcullisSystem
import Testing

/// The daemon reads SIGHUP, SIGTERM and SIGINT from a signalfd: a signal sent
/// before anyone reads waits, blocked, and is read in order.
@Suite struct SignalReaderTests {
    @Test func aSignalSentBeforeTheReadIsKeptAndRead() throws {
        // Blocked in this thread only, and sent to this thread only: the test
        // process's other threads never see it (SIGUSR2's default action ends a process).
        let reader = try SignalReader(blocking: [SIGUSR2, SIGWINCH])
        #expect(pthread_kill(pthread_self(), SIGWINCH) == 0)
        #expect(pthread_kill(pthread_self(), SIGUSR2) == 0)
        let first = try reader.next()
        let second = try reader.next()
        #expect(Set([first, second]) == [SIGUSR2, SIGWINCH])
    }
}

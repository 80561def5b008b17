import CLinux
import Glibc
import SystemPackage

/// Signals read from a signalfd(2), never delivered. The signals are blocked in
/// the calling thread, and so in every thread it starts afterwards: create the
/// reader before any other thread exists. A blocked signal stays pending until
/// read, whenever it comes; a signal source of libdispatch instead sets SIG_IGN
/// and registers asynchronously, so a signal sent right after start-up, or
/// while dispatch_main's thread waits with every signal unblocked, is dropped.
public struct SignalReader: Sendable {
    private let fd: Int32

    public init(blocking signals: [Int32]) throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let blocked = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard blocked == 0 else { throw Errno(rawValue: blocked) }
        fd = try syscallRetryingInterrupts { signalfd(-1, &set, Int32(SFD_CLOEXEC)) }
    }

    /// The next signal, waiting for one.
    public func next() throws(Errno) -> Int32 {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        let read = try syscallRetryingInterrupts { Glibc.read(fd, &info, size) }
        guard read == size else { throw Errno.ioError }
        return Int32(info.ssi_signo)
    }
}

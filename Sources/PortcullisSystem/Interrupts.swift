import Glibc
import SystemPackage

/// Runs a raw syscall wrapper, retrying on EINTR: the one place that does.
/// Returns the call's non-negative result, or throws its errno.
@inline(__always)
func syscallRetryingInterrupts<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result >= 0 { return result }
        if errno == EINTR { continue }
        throw Errno(rawValue: errno)
    }
}

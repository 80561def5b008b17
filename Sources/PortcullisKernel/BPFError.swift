import CBPF
import Glibc

/// A kernel or libbpf refusal, with the call that failed and what it means.
public struct BPFError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    /// What the refusal means here, when the usual reading of the code would mislead.
    public var hint: String?

    init(_ operation: String, code: Int32 = errno, hint: String? = nil) {
        self.operation = operation
        self.code = code < 0 ? -code : code
        self.hint = hint
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: 256)
        libbpf_strerror(code, &buffer, buffer.count)
        let reason = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        var text = "\(operation): \(String(decoding: reason, as: UTF8.self))"
        if let hint {
            text += " (\(hint))"
        } else if code == EPERM {
            text += " (BPF-LSM programs need root with CAP_BPF and CAP_MAC_ADMIN, "
                + "and a kernel that lists 'bpf' in /sys/kernel/security/lsm; see `portcullis doctor`)"
        }
        return text
    }
}

/// Calls a libbpf function that returns 0 or a negative errno.
func check(_ operation: @autoclosure () -> String, _ rc: Int32) throws(BPFError) {
    if rc < 0 { throw BPFError(operation(), code: -rc) }
}

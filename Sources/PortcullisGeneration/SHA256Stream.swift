import CGcrypt

/// SHA-256 over bytes given in pieces (libgcrypt's message digests): the one
/// place that owns the handle and notices a failed step.
final class SHA256Stream {
    private let handle: gcry_md_hd_t

    /// libgcrypt wants its version checked once, before any other call: that initializes it.
    private static let initialized: Bool = gcry_check_version(nil) != nil

    init?() {
        guard Self.initialized else { return nil }
        var handle: gcry_md_hd_t?
        guard gcry_md_open(&handle, Int32(GCRY_MD_SHA256.rawValue), 0) == 0, let handle else { return nil }
        self.handle = handle
    }

    deinit { gcry_md_close(handle) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        gcry_md_write(handle, base, bytes.count)
    }

    /// The 32-byte digest; nil if it cannot be read.
    func finish() -> [UInt8]? {
        guard let digest = gcry_md_read(handle, Int32(GCRY_MD_SHA256.rawValue)) else { return nil }
        return Array(UnsafeBufferPointer(start: digest, count: Int(gcry_md_get_algo_dlen(Int32(GCRY_MD_SHA256.rawValue)))))
    }
}

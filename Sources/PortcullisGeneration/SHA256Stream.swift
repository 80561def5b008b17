import CCrypto

/// SHA-256 over bytes given in pieces (OpenSSL's EVP interface): the one place
/// that owns the context and notices a failed step.
final class SHA256Stream {
    private let context: OpaquePointer
    private var failed = false

    init?() {
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        if EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) != 1 { failed = true }
    }

    /// The 32-byte digest; nil if any step failed.
    func finish() -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard !failed, EVP_DigestFinal_ex(context, &bytes, &length) == 1 else { return nil }
        return Array(bytes.prefix(Int(length)))
    }
}

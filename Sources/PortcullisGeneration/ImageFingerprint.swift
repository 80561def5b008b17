import CCrypto
import PortcullisCompiler

/// What the daemon keeps of the image it installed, to tell whether a new
/// compile changed anything: the SHA-256 of its tables (its words, the
/// generation number read as 0). Keeping the image itself for that held 4.6 MB
/// at 10,000 rules for as long as it was in force.
public struct ImageFingerprint: Sendable, Equatable {
    /// nil when it could not be computed: equal to no other.
    private let digest: [UInt8]?

    public init(_ image: PolicyImage) {
        digest = Self.sha256(image)
    }

    public static func == (a: ImageFingerprint, b: ImageFingerprint) -> Bool {
        guard let x = a.digest, let y = b.digest else { return false }
        return x == y
    }

    private static func sha256(_ image: PolicyImage) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { return nil }
        var hashed = true
        image.withTableBytes { bytes in
            if EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) != 1 { hashed = false }
        }
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard hashed, EVP_DigestFinal_ex(context, &bytes, &length) == 1 else { return nil }
        return Array(bytes.prefix(Int(length)))
    }
}

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
        guard let stream = SHA256Stream() else { return nil }
        image.withTableBytes { stream.update($0) }
        return stream.finish()
    }
}

import PortcullisCompiler
import PortcullisGeneration
import PortcullisPolicy
import Testing

/// The daemon tells a compile that changed nothing from one that did by the
/// fingerprint of the image it installed (it does not keep the image).
@Suite struct ImageFingerprintTests {
    static func image(_ paths: [String], action: Action = .deny, generation: UInt64 = 1) throws -> PolicyImage {
        let at = SourceLocation(file: "t.yaml", line: 1, column: 1)
        let rules = paths.map {
            Rule(operation: .exec(paths: [.exact($0)], args: nil), subject: .everyone, action: action, source: at)
        }
        return try PolicyCompiler.compile([Policy(name: "p", source: at, mode: .enforce, rules: rules)],
                                          generation: generation).image
    }

    @Test func theGenerationNumberAloneChangesNothing() throws {
        let a = try Self.image(["/usr/bin/kubectl"], generation: 1)
        #expect(ImageFingerprint(a) == ImageFingerprint(try Self.image(["/usr/bin/kubectl"], generation: 2)))
        #expect(ImageFingerprint(a) == ImageFingerprint(a.withGeneration(1 << 40)))
    }

    @Test func anyOtherWordDoes() throws {
        let a = ImageFingerprint(try Self.image(["/usr/bin/kubectl"]))
        #expect(a != ImageFingerprint(try Self.image(["/usr/bin/kubectl"], action: .audit)))
        #expect(a != ImageFingerprint(try Self.image(["/usr/bin/kubectx"])))
        #expect(a != ImageFingerprint(try Self.image(["/usr/bin/kubectl", "/usr/bin/helm"])))
    }
}

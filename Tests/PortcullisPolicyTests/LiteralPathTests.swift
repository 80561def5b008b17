@testable import PortcullisPolicy
import Testing

@Suite struct LiteralPathTests {
    @Test(arguments: [
        (PathPattern.exact("/usr/bin/kubectl"), "/usr/bin/kubectl"),
        (.regex("^/usr/bin/kubectl$"), "/usr/bin/kubectl"),
        (.regex(#"^/opt/a\.b/c\-d$"#), "/opt/a.b/c-d"),
        (.regex(#"^/a\|b\+c\?d\{e\}\[f\]\(g\)\*h\^i\$$"#), "/a|b+c?d{e}[f](g)*h^i$"),
    ])
    func literalPatternsGiveTheirPath(pattern: PathPattern, path: String) {
        #expect(pattern.literalPath == path)
    }

    @Test(arguments: [
        PathPattern.prefix("/usr/bin/"), .regex("^/usr/bin/kube.*$"), .regex("/usr/bin/kubectl$"),
        .regex("^/usr/bin/kubectl"), .regex("^/usr/bin/(kubectl)$"), .regex(#"^/usr/bin/\d$"#),
        .regex("^kubectl$"), .regex("^/a|b$"), .regex("^/a+$"), .regex("^/a?$"), .regex("^/a*$"),
        .regex("^/a{2}$"), .regex("^/a[b]$"), .regex("^/a^b$"), .regex("^/a$b$"), .regex("^/a.b$"),
    ])
    func patternsWithOperatorsAreNotLiterals(pattern: PathPattern) {
        #expect(pattern.literalPath == nil)
    }
}

/// The daemon's byte-by-byte reading of ASCII patterns gives what the
/// Character-by-Character one gives, on every pattern of a small alphabet
/// with every operator, the escape, letters, punctuation and controls.
@Suite struct ASCIILiteralPathTests {
    @Test func asciiReadingAgreesWithTheCharacterReading() {
        let alphabet = Array("^$.[]()|*+?{}\\/a-_:~#\t\r\n%".utf8)
        var generator = SystemRandomNumberGenerator()
        var literals = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...8, using: &generator)
            var bytes: [UInt8] = [UInt8(ascii: "^"), UInt8(ascii: "/")]
            for _ in 0..<count { bytes.append(alphabet.randomElement(using: &generator)!) }
            bytes.append(UInt8(ascii: "$"))
            let text = String(decoding: bytes, as: UTF8.self)
            let fast = PathPattern.asciiLiteral(text)
            #expect(fast == PathPattern.literal(text), "\(text.debugDescription)")
            if fast != nil { literals += 1 }
        }
        #expect(literals > 100)  // the alphabet gives literals too, not only refusals
        for byte in UInt8(0)...UInt8(0x7F) {
            let ch = Character(Unicode.Scalar(byte))
            #expect(PathPattern.isASCIIPunctuation(byte) == (ch.isPunctuation || ch.isSymbol), "\(byte)")
        }
    }
}

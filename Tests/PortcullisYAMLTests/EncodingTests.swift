import PortcullisYAML
import Testing

/// Bytes that are not valid YAML text are rejected before libyaml, with a mark.
@Suite struct EncodingTests {
    @Test func invalidUTF8() throws {
        let error = try #require(parseError(Array("a: 1\nb: caf".utf8) + [0xE9] + Array("\n".utf8), file: "latin1.yaml"))
        #expect(error.mark == mark(2, 7))
        #expect(error.description == "latin1.yaml:2:7: invalid UTF-8: byte 0xE9 does not start a valid UTF-8 sequence")
    }

    /// Marks for encoding errors count characters, as libyaml's do.
    @Test func invalidUTF8AfterMultibyteCharacters() throws {
        let error = try #require(parseError(Array("é: ".utf8) + [0xFF]))
        #expect(error.mark == mark(1, 4))
    }

    @Test(arguments: [
        [0xC0, 0xAF] as [UInt8],  // overlong '/'
        [0xE0, 0x80, 0xAF],  // overlong
        [0xED, 0xA0, 0x80],  // surrogate U+D800
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xC3],  // truncated at end of file
        [0xE2, 0x82],  // truncated
        [0x80],  // lone continuation byte
        [0xF8, 0x88, 0x80, 0x80, 0x80],  // 5-byte form
    ])
    func malformedSequences(_ bad: [UInt8]) throws {
        let error = try #require(parseError(Array("k: ".utf8) + bad + Array(" x\n".utf8)))
        #expect(error.mark == mark(1, 4))
        #expect(error.message.hasPrefix("invalid UTF-8"))
    }

    @Test func truncatedSequenceBeforeNewline() throws {
        let error = try #require(parseError(Array("a: x\nk: ".utf8) + [0xC3, 0x0A]))
        #expect(error.mark == mark(2, 4))
    }

    @Test func nulByte() throws {
        let error = try #require(parseError(Array("a: b".utf8) + [0] + Array("c\n".utf8)))
        #expect(error.mark == mark(1, 5))
        #expect(error.message == "NUL byte (0x00) is not allowed")
    }

    @Test func nulInComment() throws {
        let error = try #require(parseError(Array("a: 1\n# x".utf8) + [0]))
        #expect(error.mark == mark(2, 4))
    }

    @Test(arguments: [0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x7F] as [UInt8])
    func asciiControlCharacters(_ byte: UInt8) throws {
        let error = try #require(parseError(Array("a: b".utf8) + [byte]))
        #expect(error.mark == mark(1, 5))
        #expect(error.message.hasPrefix("control character U+00"))
    }

    @Test func c1ControlCharacter() throws {
        let error = try #require(parseError(Array("a: b".utf8) + [0xC2, 0x9B]))  // U+009B CSI
        #expect(error.message == "control character U+009B is not allowed")
    }

    @Test func utf16IsRejected() throws {
        let error = try #require(parseError([0xFF, 0xFE, 0x61, 0x00, 0x3A, 0x00]))
        #expect(error.mark == mark(1, 1))
        #expect(error.message.contains("UTF-16"))
        #expect(parseError([0xFE, 0xFF, 0x00, 0x61]) != nil)
    }

    @Test func nonASCIITextIsFine() throws {
        let root = try single("name: \"café ☕ 𝄞\"\nplain: naïve\n")
        #expect(root.child("name")?.string == "café ☕ 𝄞")
        #expect(root.child("plain")?.string == "naïve")
    }

    /// libyaml counts U+2028 as a line break; so do our marks.
    @Test func lineSeparatorCountsAsBreak() throws {
        let error = try #require(parseError(Array("a: 'x\u{2028}y'\nb: ".utf8) + [0xFF]))
        #expect(error.mark == mark(3, 4))
        // The same position as libyaml's own mark for an error there.
        let libyamlError = try #require(parseError("a: 'x\u{2028}y'\nb: @\n"))
        #expect(libyamlError.mark == mark(3, 4))
    }
}

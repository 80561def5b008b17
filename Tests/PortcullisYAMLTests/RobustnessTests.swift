import Foundation
import PortcullisYAML
import Testing

/// Whatever the bytes, the reader returns or throws: no crash, no hang, and any
/// error carries a position inside the file.
@Suite struct RobustnessTests {
    /// Rounds of mutation; set PORTCULLIS_FUZZ_ROUNDS (and PORTCULLIS_FUZZ_SEED)
    /// for a longer run. The default run is fixed and deterministic.
    static let rounds = ProcessInfo.processInfo.environment["PORTCULLIS_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 3000
    static let seed = ProcessInfo.processInfo.environment["PORTCULLIS_FUZZ_SEED"].flatMap { UInt64($0) }
        ?? 0x706F_7274_6375_6C6C  // "portcull"

    static let seeds = ["block-kubectl-execution.yaml", "deny-hostpath-mount.yaml", "deny-net-admin-capability.yaml"]

    /// Fragments that exercise libyaml's trickier paths.
    static let snippets: [String] = [
        "a: &x [1, *x]\n", "? [a]\n: b\n", "<<: *m\n", "--- !!map\n...\n", "%YAML 1.1\n%TAG ! tag:x,1:\n---\n",
        "a: |+2\n  x\n\n", "b: >-\n folded\n", "\"\\u00e9\\x41\\0\"", "'it''s'", "[{a: b}, {c: d}]", "{? a: b}",
        "- - - x\n", "&a &b c", "!<tag:a> x", "a:\t1", "\t- x", "key: \"unterminated", "[[[[[[", "]]]}}}",
        "@`%", "a: b: c", "*undefined", "&anchor\n", "\u{FEFF}a: 1", "a: \u{2028}b", "? |\n x\n: y\n",
    ]
    static let interesting: [UInt8] = Array(":-[]{},&*!|>'\"#%@`?\t\n\r \\0xXe".utf8) + [0x00, 0x7F, 0xC3, 0xE2, 0xFF, 0x85]

    private func check(_ bytes: [UInt8]) -> Bool {
        do {
            _ = try YAMLReader.documents(in: bytes, file: "fuzz.yaml")
            return true
        } catch {
            // An upper bound on the lines: LF, CR, and bytes that may belong to NEL, LS, PS.
            let lines = 1 + bytes.filter { $0 == 0x0A || $0 == 0x0D || $0 == 0x85 || $0 == 0xE2 }.count
            #expect(error.file == "fuzz.yaml")
            #expect(error.mark.line >= 1 && error.mark.column >= 1, "\(error) for \(bytes)")
            #expect(error.mark.line <= lines, "\(error) for \(bytes)")
            #expect(!error.message.isEmpty)
            return false
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func truncatedSeedPolicies() throws {
        var accepted = 0
        var rejected = 0
        for name in Self.seeds {
            let bytes = try seedBytes(name)
            for length in 0...bytes.count {
                if check(Array(bytes[..<length])) { accepted += 1 } else { rejected += 1 }
            }
        }
        // Most prefixes cut a line somewhere harmless; a cut inside a quote fails.
        #expect(accepted > 0 && rejected > 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func mutatedInputs() throws {
        var rng = SplitMix64(seed: Self.seed)
        var corpus = try Self.seeds.map { try seedBytes($0) }
        corpus += Self.snippets.map { Array($0.utf8) }
        var accepted = 0
        var rejected = 0
        for _ in 0..<Self.rounds {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                mutate(&bytes, corpus: corpus, using: &rng)
            }
            if check(bytes) { accepted += 1 } else { rejected += 1 }
        }
        #expect(accepted + rejected == Self.rounds)
        #expect(accepted > 100 && rejected > 100)
    }

    @Test(.timeLimit(.minutes(2)))
    func randomBytes() throws {
        var rng = SplitMix64(seed: 42)
        for round in 0..<Self.rounds / 3 {
            let count = Int.random(in: 0...200, using: &rng)
            let bytes: [UInt8] =
                round % 2 == 0
                ? (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : (0..<count).map { _ in Self.interesting.randomElement(using: &rng)! }
            _ = check(bytes)
        }
    }

    private func mutate(_ bytes: inout [UInt8], corpus: [[UInt8]], using rng: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !bytes.isEmpty:  // flip a bit
            bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1:  // insert a syntax character
            bytes.insert(Self.interesting.randomElement(using: &rng)!, at: position)
        case 2 where !bytes.isEmpty:  // delete a range
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &rng))
            bytes.removeSubrange(position..<end)
        case 3 where !bytes.isEmpty:  // duplicate a range
            let end = min(bytes.count, position + Int.random(in: 1...32, using: &rng))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        case 4:  // splice in part of another input
            let other = corpus.randomElement(using: &rng)!
            guard !other.isEmpty else { return }
            let start = Int.random(in: 0..<other.count, using: &rng)
            let end = min(other.count, start + Int.random(in: 1...64, using: &rng))
            bytes.insert(contentsOf: other[start..<end], at: position)
        default:  // indent or dedent: the usual human error
            if let lineStart = bytes[..<position].lastIndex(of: 0x0A) {
                if Bool.random(using: &rng) {
                    bytes.insert(contentsOf: [0x20, 0x20], at: lineStart + 1)
                } else if lineStart + 1 < bytes.count, bytes[lineStart + 1] == 0x20 {
                    bytes.remove(at: lineStart + 1)
                }
            }
        }
    }
}

import Glibc
import PortcullisPolicy
import Testing

@testable import PortcullisGeneration

/// The daemon's SHA-256 of the files literal-path rules name: read once per
/// version, kept for a path whose file is gone, forgotten for paths no longer asked.
@Suite struct ContentDigestsTests {
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    static let abcd = "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"

    static func directory() -> String {
        let dir = "/tmp/pc-digests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(dir, 0o700) == 0)
        return dir
    }

    static func write(_ text: String, to path: String) {
        let file = fopen(path, "w")
        fputs(text, file)
        fclose(file)
    }

    @Test func aFileIsHashedAndFollowedThroughChanges() throws {
        let dir = Self.directory()
        let path = "\(dir)/tool"
        Self.write("abc", to: path)
        let digests = ContentDigests()
        #expect(digests.digests(of: [path])[path]?.hex == Self.abc)
        // Rewritten in place: a new version (size, times), hashed again.
        Self.write("abcd", to: path)
        #expect(digests.digests(of: [path])[path]?.hex == Self.abcd)
        // Gone: the last digest seen stays (a renamed or hard-linked copy stays denied).
        #expect(unlink(path) == 0)
        #expect(digests.digests(of: [path])[path]?.hex == Self.abcd)
        // Another file there: its content.
        Self.write("abc", to: path)
        #expect(digests.digests(of: [path])[path]?.hex == Self.abc)
    }

    @Test func pathsNoLongerAskedAreForgotten() throws {
        let dir = Self.directory()
        let path = "\(dir)/tool"
        Self.write("abc", to: path)
        let digests = ContentDigests()
        #expect(digests.digests(of: [path])[path] != nil)
        #expect(digests.digests(of: []).isEmpty)
        #expect(unlink(path) == 0)
        #expect(digests.digests(of: [path])[path] == nil, "forgotten: nothing to keep for a missing file")
    }

    @Test func onlyRegularFilesHaveADigest() throws {
        let dir = Self.directory()
        #expect(mkfifo("\(dir)/fifo", 0o600) == 0)
        let digests = ContentDigests().digests(of: [dir, "\(dir)/fifo", "\(dir)/missing", "/dev/null"])
        #expect(digests.isEmpty, "\(digests)")
    }

    @Test func aLiteralRuleOnACopyOfAProtectedProgramIsWarnedAbout() throws {
        let at = SourceLocation(file: "p.yaml", line: 4, column: 7)
        let rule = Rule(operation: .exec(paths: [.exact("/usr/local/bin/rbash")], args: nil), subject: .everyone, action: .deny, source: at)
        let policy = Policy(name: "p", source: at, mode: .enforce, rules: [rule])
        let bash = ContentDigest(hex: Self.abc)!
        let warnings = PolicyBuild.protectedCopies(
            [policy], copied: ["/usr/local/bin/rbash"],
            digests: ["/usr/local/bin/rbash": bash, "/bin/bash": bash], protected: [bash])
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("same content as /bin/bash") == true, "\(warnings)")
        #expect(warnings.first?.line == 4)
        let other = PolicyBuild.protectedCopies(
            [policy], copied: ["/usr/local/bin/rbash"],
            digests: ["/usr/local/bin/rbash": ContentDigest(hex: Self.abcd)!, "/bin/bash": bash], protected: [bash])
        #expect(other.isEmpty)
    }
}

/// `sha256:` rules on a kernel that cannot hash: a warning naming the rule.
@Suite struct UnenforceableContentTests {
    @Test func sha256RulesAreWarnedAboutWhereTheKernelCannotHash() throws {
        let at = SourceLocation(file: "c.yaml", line: 9, column: 7)
        let digest = try #require(ContentDigest(hex: ContentDigestsTests.abc))
        let rules = [
            Rule(operation: .exec(paths: [], args: nil, content: ExecContent(digests: [digest])), subject: .everyone, action: .deny, source: at),
            Rule(operation: .exec(paths: [.exact("/usr/bin/x")], args: nil), subject: .everyone, action: .deny, source: at),
        ]
        let policy = Policy(name: "c", source: at, mode: .enforce, rules: rules)
        let cannot = PolicyBuild.unenforceableContent([policy], support: { .init(ok: false, detail: "no IMA") })
        #expect(cannot.count == 1)
        #expect(cannot.first?.message.contains("no IMA") == true && cannot.first?.line == 9, "\(cannot)")
        #expect(PolicyBuild.unenforceableContent([policy], support: { .init(ok: true, detail: "") }).isEmpty)
        // Without a sha256: rule the kernel is not asked at all.
        var asked = false
        let plain = Policy(name: "p", source: at, mode: .enforce, rules: [rules[1]])
        #expect(PolicyBuild.unenforceableContent([plain], support: { asked = true; return .init(ok: false, detail: "") }).isEmpty)
        #expect(!asked)
    }
}

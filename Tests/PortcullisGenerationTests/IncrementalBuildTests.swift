import Glibc
import Testing

@testable import PortcullisGeneration

/// The daemon's builder after one file of a directory changed: it reads that
/// file again, builds again only what the change touches, and gives the image
/// a build from scratch of the same directory gives, byte for byte.
@Suite struct IncrementalBuildTests {
    /// A scratch policy directory (PolicyDirectoryTests' tree: its admin's directory).
    struct Directory {
        let tree = PolicyDirectoryTests.Tree()
        var path: String { tree.admin }

        /// Policy file `name`'s text: `rules` exec rules (exact paths, prefixes,
        /// regexes in turn), and `extra` rules as they are.
        static func policy(_ name: String, rules: Int, extra: [String] = []) -> String {
            let exec = (0..<rules).map { r in
                switch r % 3 {
                case 0: return "    - exec: { path: /opt/\(name)/bin/tool\(r) }\n      action: deny\n"
                case 1: return "    - exec: { pathPrefix: /srv/\(name)/r\(r)/ }\n      action: audit\n"
                default: return "    - exec: { pathRegex: \"^/usr/local/\(name)/(bin|sbin)/t\(r)[0-9]*$\" }\n      action: deny\n"
                }
            }
            return "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: \(name) }\nspec:\n  rules:\n"
                + (exec + extra).joined()
        }

        /// Writes `text` to `name` as config management does: a new file renamed into place.
        func write(_ name: String, _ text: String) {
            let staged = "\(path)/.\(name).tmp"
            let fd = open(staged, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
            precondition(fd >= 0)
            _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
            precondition(rename(staged, "\(path)/\(name)") == 0)
        }

        func remove(_ name: String) { unlink("\(path)/\(name)") }

        func cleanUp() { tree.cleanUp() }
    }

    @Test func eachOneFileChangeGivesTheImageOfABuildFromScratch() throws {
        let directory = Directory()
        defer { directory.cleanUp() }
        for f in 0..<60 {
            let number = String(f)
            directory.write(String(repeating: "0", count: 4 - number.count) + number + ".yaml", Directory.policy("app\(f)", rules: 10))
        }
        let policies = PolicyDirectory(path: directory.path, requireTrusted: false)
        var builder = GenerationBuilder(directory: policies)
        _ = try builder.build(generation: 1)
        #expect(builder.patternCache.groupCount >= 5)

        let changes: [(String, () -> Void)] = [
            ("a rule added to a file", { directory.write("0030.yaml", Directory.policy("app30", rules: 11)) }),
            ("a rule removed from a file", { directory.write("0010.yaml", Directory.policy("app10", rules: 9)) }),
            ("a file added between two others", { directory.write("0020a.yaml", Directory.policy("new", rules: 7)) }),
            ("a file removed", { directory.remove("0045.yaml") }),
            ("a regex edited", {
                directory.write("0005.yaml", Directory.policy("app5", rules: 10).replacing("t2[0-9]*", with: "t2[a-f]+"))
            }),
            ("an allow rule added (it carves its policy's rules)", {
                directory.write(
                    "0050.yaml",
                    Directory.policy("app50", rules: 10, extra: ["    - exec: { pathPrefix: /srv/app50/r1/ok/ }\n      action: allow\n"]))
            }),
            ("a capability rule added (the exec rules after it are numbered anew)", {
                directory.write(
                    "0001.yaml",
                    Directory.policy("app1", rules: 10, extra: ["    - capability: [CAP_SYS_MODULE]\n      action: deny\n"]))
            }),
            ("the first file removed", { directory.remove("0000.yaml") }),
        ]
        for (generation, (change, apply)) in changes.enumerated() {
            apply()
            let incremental = try builder.build(generation: UInt64(generation + 2))
            #expect(builder.patternCache.groupsBuilt <= 3, "\(change): \(builder.patternCache.groupsBuilt) groups built")
            var scratch = GenerationBuilder(directory: policies)
            let fresh = try scratch.build(generation: UInt64(generation + 2))
            #expect(incremental.image == fresh.image, "\(change)")
            #expect(incremental.rules.count == fresh.rules.count, "\(change)")
            #expect(builder.patternCache.groupCount == scratch.patternCache.groupCount, "\(change): only the groups in use kept")
        }
    }

    /// The daemon resolves literal paths once per reload, to watch them, and hands
    /// that resolution to the compile: the compile's first attempt uses it (no
    /// second realpath per literal path), and the image is the one resolving
    /// again gives.
    @Test func theCompileUsesTheResolutionItIsGiven() throws {
        let directory = Directory()
        defer { directory.cleanUp() }
        directory.write("0000.yaml", Directory.policy("app0", rules: 6))
        directory.write("0001.yaml", Directory.policy("app1", rules: 6))
        var builder = GenerationBuilder(directory: PolicyDirectory(path: directory.path, requireTrusted: false))
        let (_, outcome) = try builder.read()
        let policies = outcome.files.flatMap(\.policies)
        let resolvedHere = try builder.compile(files: outcome.files, applied: [:], generation: 1)
        let given = try builder.compile(
            files: outcome.files, resolved: SymlinkResolution.resolve(policies), applied: [:], generation: 1)
        #expect(given.compiled.image == resolvedHere.compiled.image)
        #expect(given.setAside.isEmpty)
        // What it is given is what it compiles: here, one file's policies only.
        let oneFile = try builder.compile(
            files: outcome.files, resolved: SymlinkResolution.resolve(outcome.files[0].policies), applied: [:],
            generation: 1)
        #expect(oneFile.compiled.rules.count == 6)
        #expect(resolvedHere.compiled.rules.count == 12)
    }
}

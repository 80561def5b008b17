import PropertyBased
import Testing
@testable import PortcullisRegex

/// The kernel skips a file's whole path when the last-component filter rejects
/// its name: a name it rejects must end no path the exec DFA accepts.
@Suite struct LastComponentFilterTests {
    static func filter(_ patterns: [String]) throws -> DFA? {
        try DFACompiler.compile(patterns.enumerated().map { (id: $0.offset, pattern: $0.element) })
            .lastComponentFilter()
    }

    static func accepts(_ filter: DFA, _ name: String) -> Bool { !filter.matches(Array(name.utf8)).isEmpty }

    @Test func aLiteralPathLetsOnlyItsOwnNameThrough() throws {
        let f = try #require(try Self.filter(["^/usr/bin/kubectl$"]))
        #expect(Self.accepts(f, "kubectl"))
        for name in ["libc.so.6", "kubectl2", "kube", "", "usr", "bin"] {
            #expect(!Self.accepts(f, name), "\(name)")
        }
    }

    @Test func regexNamesAndAlternatives() throws {
        let f = try #require(try Self.filter(["^/usr/local/app1/(bin|sbin)/t7[0-9]*$", "^/opt/x/tool3$"]))
        for name in ["t7", "t70", "t7123", "tool3"] { #expect(Self.accepts(f, name), "\(name)") }
        for name in ["t8", "tool", "ld-linux-x86-64.so.2", "bin"] { #expect(!Self.accepts(f, name), "\(name)") }
    }

    @Test func noFilterWhereEveryNameCouldMatch() throws {
        #expect(try Self.filter(["^/srv/app/"]) == nil)  // a prefix: anything below
        #expect(try Self.filter(["x"]) == nil)  // unanchored: x may be in a directory's name
        #expect(try Self.filter(["^$"]) == nil)  // the empty path: files with none (anonymous)
        #expect(try Self.filter(["^[^/]*$"]) == nil)  // no `/` ever: no host path matches, nothing to filter
    }

    /// Random patterns over an alphabet with `/`, random texts that start with `/`:
    /// whenever the DFA accepts a text, the filter accepts the text's last component.
    @Test func aRejectedNameEndsNoAcceptedPath() async {
        let filtered = Counter()
        let matched = Counter()
        let rejected = Counter()
        await propertyCheck(count: 1500 * soak, input: Gen.int(in: 0...9999).array(of: 0...40), Gen.uint64()) {
            values, seed in
            var chooser = Chooser(values)
            let node = genPattern(&chooser)
            guard let dfa = try? DFACompiler.compile([(id: 0, pattern: node.posix)], stateLimit: 5_000) else { return }
            guard let filter = dfa.lastComponentFilter() else { return }
            filtered.increment()
            for input in testInputs(for: node, seed: seed) {
                let path = Array(("/" + input).utf8)
                let name = Array(path[(path.lastIndex(of: UInt8(ascii: "/"))! + 1)...])
                let passes = !filter.matches(name).isEmpty
                if !dfa.matches(path).isEmpty {
                    matched.increment()
                    #expect(passes, "\(node.posix) accepts \(String(decoding: path, as: UTF8.self)) but the filter rejects its name")
                } else if !passes {
                    rejected.increment()
                }
            }
        }
        // Not vacuous: filters were built, paths matched, and names were turned away.
        #expect(filtered.value >= 100 * soak, "\(filtered.value) filters")
        #expect(matched.value >= 100 * soak, "\(matched.value) matching paths")
        #expect(rejected.value >= 100 * soak, "\(rejected.value) names rejected")
    }
}

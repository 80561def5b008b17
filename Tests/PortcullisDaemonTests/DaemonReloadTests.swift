import Foundation
import Glibc
import PortcullisCompiler
import PortcullisFakeKernel
import PortcullisJournal
import Testing

@testable import PortcullisDaemon
@testable import PortcullisKernel
import PortcullisGeneration

/// The daemon's reload on the host, against a fake kernel that keeps what it is
/// given: what a change to the directory puts in force, what it leaves alone.
@Suite struct DaemonReloadTests {
    /// Keeps the entries the daemon writes.
    final class Entries: AuditSink, @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [JournalEntry] = []
        func write(_ entry: JournalEntry) { lock.withLock { entries.append(entry) } }
        func with(_ id: MessageID) -> [JournalEntry] { lock.withLock { entries.filter { $0.messageID == id } } }
    }

    /// A policy directory and a runtime directory in a scratch directory, a
    /// daemon on them with a fake kernel.
    struct Fixture {
        let root: String
        let kernel = FakeKernel()
        let entries = Entries()
        let daemon: Daemon
        var policies: String { root + "/policies.d" }
        var stateFile: String { root + "/run/state.json" }

        var cache: String { root + "/cache" }

        /// `cache`: the daemon keeps its content digests in `root/cache`;
        /// `cacheIsAFile`: a file is where that directory should be.
        init(
            lock: Bool = false, cache: Bool = false, cacheIsAFile: Bool = false,
            systemState: @escaping @Sendable () -> String? = { nil }
        ) throws {
            root = "/tmp/portcullis-daemon-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            mkdir(root, 0o755)
            mkdir(root + "/policies.d", 0o755)
            mkdir(root + "/run", 0o700)  // run() creates it; these tests call reload() alone
            if cacheIsAFile { close(open(root + "/cache", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)) }
            var configuration = DaemonConfiguration(
                directory: PolicyDirectory(path: root + "/policies.d", requireTrusted: false),
                runtime: RuntimeDirectory(path: root + "/run"),
                cache: cache || cacheIsAFile ? ContentDigestStore(directory: root + "/cache") : nil, lock: lock)
            configuration.systemState = systemState
            daemon = try Daemon(configuration, journal: entries, kernel: kernel)
        }

        func write(_ name: String, denying paths: [String]) {
            let rules = paths.map { "    - exec: { path: \($0) }\n      action: deny\n" }.joined()
            let text = "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: \(name) }\nspec:\n  rules:\n"
                + rules
            write(name, text: text)
        }

        func write(_ name: String, text: String) {
            let path = "\(policies)/\(name).yaml"
            unlink(path)
            let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
            precondition(fd >= 0)
            _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
        }

        func remove(_ name: String) { unlink("\(policies)/\(name).yaml") }

        func state() throws -> DaemonState? { try DaemonState.read(stateFile) }

        func cleanUp() {
            unlink(cache + "/content-digests")
            unlink(cache)
            for path in [policies, root + "/run", cache] {
                if let dir = opendir(path) {
                    while let entry = readdir(dir) {
                        let name = withUnsafeBytes(of: entry.pointee.d_name) {
                            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                        }
                        if name != "." && name != ".." { unlink("\(path)/\(name)") }
                    }
                    closedir(dir)
                }
                rmdir(path)
            }
            rmdir(root)
        }
    }

    @Test func aChangeIsInForceAsAWholeGeneration() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1])
        #expect(fixture.kernel.exec("/usr/local/bin/one") == .deny(rules: [0]))
        fixture.write("b", denying: ["/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
        #expect(fixture.kernel.denies("/usr/local/bin/one"))
        #expect(fixture.kernel.denies("/usr/local/bin/two"))
        #expect(fixture.kernel.exec("/usr/local/bin/three") == .allow)
        #expect(fixture.entries.with(.generationApplied).count == 2)
        let state = try #require(try fixture.state())
        #expect(state.generation == 2)
        #expect(state.policies.map(\.name).sorted() == ["a", "b"])
    }

    @Test func theDaemonKeepsTheDigestsOfLiteralRulesFilesInItsCache() throws {
        let fixture = try Fixture(cache: true)
        defer { fixture.cleanUp() }
        let tool = fixture.root + "/tool"
        close(open(tool, O_CREAT | O_WRONLY | O_CLOEXEC, 0o755))
        defer { unlink(tool) }
        fixture.write("a", denying: [tool])
        fixture.daemon.reload()
        #expect(fixture.kernel.denies(tool))
        let kept = try String(contentsOfFile: fixture.cache + "/content-digests", encoding: .utf8)
        // The SHA-256 of no bytes, for the empty file.
        #expect(kept.contains("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "), "\(kept)")
        #expect(kept.hasSuffix(" \(tool)\n"), "\(kept)")
        #expect(fixture.entries.with(.cacheUnavailable).isEmpty)
    }

    @Test func aCacheThatCannotBeUsedIsLoggedAndEnforcementGoesOn() throws {
        let fixture = try Fixture(cacheIsAFile: true)
        defer { fixture.cleanUp() }
        let problems = fixture.entries.with(.cacheUnavailable)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("not a directory") == true, "\(problems.map(\.message))")
        #expect(problems.first?[.cacheDirectory] == fixture.cache)
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        #expect(fixture.kernel.denies("/usr/local/bin/one"))
        #expect(fixture.entries.with(.cacheUnavailable).count == 1, "the same problem is not logged again at each compile")
    }

    @Test func theAppliedEntryTimesTheStepsUpToTheSwap() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.kernel.installTime = .milliseconds(60)
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        let entry = try #require(fixture.entries.with(.generationApplied).first)
        let read = try #require(entry[.readMilliseconds].flatMap(Double.init))
        let compile = try #require(entry[.compileMilliseconds].flatMap(Double.init))
        let swap = try #require(entry[.swapMilliseconds].flatMap(Double.init))
        #expect(read >= 0 && read < 60_000)
        #expect(compile > 0 && compile < 60_000)
        #expect(swap >= 60 && swap < 60_000)  // the install's own time, up to its swap
    }

    @Test func theSameSubjectConditionsKeepTheTasksViewsAndOthersComputeThem() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        func subject(_ args: String) -> String {
            "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: s }\nspec:\n  rules:\n"
                + "    - capability: [CAP_CHOWN]\n      subject: { argsRegex: \"\(args)\" }\n      action: deny\n"
        }
        func views(_ generation: Int) -> String? {
            fixture.entries.with(.generationApplied).first { $0[.generation] == String(generation) }?[.taskViews]
        }
        fixture.write("s", text: subject("^probe "))
        fixture.daemon.reload()
        fixture.write("a", denying: ["/usr/local/bin/one"])  // an unrelated change
        fixture.daemon.reload()
        fixture.write("s", text: subject("^probe x"))  // another condition
        fixture.daemon.reload()
        fixture.remove("s")  // no subjects left
        fixture.daemon.reload()
        #expect((1...4).map(views) == ["computed", "kept", "computed", "none"])
        // What the daemon gave the kernel: the compiled images' views, equal for 1 and 2 only.
        let given = fixture.kernel.installedViews
        #expect(given.count == 4 && given.allSatisfy { $0 != nil })
        #expect(given[0] == given[1] && given[1] != given[2] && given[3] == SubjectViews.none)
    }

    /// A file with a warning (a network-policy field) and one with a compile warning (a mount source).
    static let warned = "apiVersion: cilium.io/v1alpha1\nkind: CiliumNetworkPolicy\nmetadata:\n  name: w\nspec:\n"
        + "  egress: []\n  runtime:\n    requirements:\n      - matchCapabilities:\n          - CAP_NET_ADMIN\n"
        + "        matchActions:\n          - deny\n"
    static let mountSource = "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: m }\nspec:\n  rules:\n"
        + "    - mount: { source: /srv/data }\n      action: deny\n"

    @Test func aFilesProblemsAreWrittenWhenTheyChangeNotAtEveryReload() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        let warnings = { fixture.entries.with(.policyFileWarning).count }
        fixture.write("w", text: Self.warned)
        fixture.write("m", text: Self.mountSource)
        fixture.daemon.reload()
        #expect(warnings() == 2)  // w's field, m's mount source
        // Other files change: w's and m's warnings are not written again.
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        fixture.write("a", denying: ["/usr/local/bin/one", "/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.count == 3)
        #expect(warnings() == 2)
        // w read differently (a rule more): its warning again; m's not.
        fixture.write("w", text: Self.warned + "      - matchCapabilities:\n          - CAP_SYS_TIME\n        matchActions:\n          - deny\n")
        fixture.daemon.reload()
        #expect(warnings() == 3)
        #expect(fixture.entries.with(.policyFileWarning).last?[.policyFile]?.hasSuffix("/w.yaml") == true)
        // A broken file: its error and the last good version kept, once; again once fixed and broken again.
        let kept = { fixture.entries.with(.lastGoodKept).count }
        fixture.write("a", text: "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: a\n")
        fixture.daemon.reload()
        fixture.write("b", denying: ["/usr/local/bin/three"])
        fixture.daemon.reload()
        #expect(kept() == 1)
        #expect(fixture.entries.with(.policyFileError).count == 1)
        // A forced reload (SIGHUP) writes everything again.
        fixture.daemon.reload(force: true)
        #expect(kept() == 2)
        #expect(fixture.entries.with(.policyFileError).count == 2)
        #expect(warnings() == 5)
        #expect(fixture.kernel.denies("/usr/local/bin/two"))  // a's last good version stayed in force
    }

    @Test func millisecondsHaveOneDecimal() {
        #expect(ReloadTimings.milliseconds(.milliseconds(12) + .microseconds(340)) == "12.3")
        #expect(ReloadTimings.milliseconds(.microseconds(50)) == "0.1")
        #expect(ReloadTimings.milliseconds(.microseconds(49)) == "0.0")
        #expect(ReloadTimings.milliseconds(.seconds(2) + .microseconds(960)) == "2001.0")
        #expect(ReloadTimings.milliseconds(.zero) == "0.0")
    }

    @Test func unchangedRulesAreNotInstalledAgainButAReloadForcesIt() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        fixture.daemon.reload()
        // A file rewritten with the same rules (a comment added): nothing new for the kernel.
        fixture.write("a", text: "# the same rules\n" + "apiVersion: portcullis/v1alpha1\nkind: Policy\n"
            + "metadata: { name: a }\nspec:\n  rules:\n    - exec: { path: /usr/local/bin/one }\n      action: deny\n")
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.count == 1)
        fixture.daemon.reload(force: true)  // SIGHUP, systemctl reload
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
    }

    @Test func aBrokenFileKeepsItsLastGoodVersionAndTheRestApplies() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        fixture.write("a", text: "apiVersion: portcullis/v1alpha1\nkind: Policy\nspec: [unclosed\n")
        fixture.write("b", denying: ["/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
        #expect(fixture.kernel.denies("/usr/local/bin/one"), "the last good version of a.yaml was dropped")
        #expect(fixture.kernel.denies("/usr/local/bin/two"))
        #expect(!fixture.entries.with(.lastGoodKept).isEmpty)
        #expect(!fixture.entries.with(.policyFileError).isEmpty)
    }

    /// A good file edited into a deny that matches the loader and libc (issue 15:
    /// every program would fail to map them) is unusable: its last good version
    /// stays in force and the error names a critical file; a new file like it is
    /// refused. Said on purpose (`denyCriticalFiles: true`), it applies.
    @Test func aRuleDenyingCriticalFilesNeverReachesTheKernel() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        func brick(_ name: String, acknowledged: Bool = false) -> String {
            "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: \(name) }\nspec:\n  rules:\n"
                + "    - exec: { path: /usr/local/bin/one }\n      action: deny\n"
                + "    - exec: { pathRegex: \".{0,200}x.{0,200}\" }\n      action: deny\n"
                + (acknowledged ? "      denyCriticalFiles: true\n" : "")
        }
        fixture.write("a", denying: ["/usr/local/bin/one", "/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1])
        fixture.write("a", text: brick("a"))
        fixture.write("b", text: brick("b"))
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1], "a generation with the brick was installed")
        #expect(fixture.kernel.denies("/usr/local/bin/two"), "the last good version of a.yaml was dropped")
        #expect(!fixture.kernel.denies("/usr/lib/x86_64-linux-gnu/libc.so.6"))
        let errors = fixture.entries.with(.policyFileError).map(\.message)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.allSatisfy { $0.contains(":8:7: error: this rule denies ") && $0.contains("denyCriticalFiles: true") }, "\(errors)")
        #expect(errors.contains { $0.contains("/a.yaml:") })
        #expect(fixture.entries.with(.lastGoodKept).map(\.message).contains { $0.contains("/a.yaml") })
        #expect(fixture.entries.with(.fileRefused).map(\.message).contains { $0.contains("/b.yaml") })
        fixture.write("a", text: brick("a", acknowledged: true))
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
        #expect(!fixture.kernel.denies("/usr/local/bin/two"))
        #expect(fixture.kernel.denies("/usr/lib/x86_64-linux-gnu/libc.so.6"))
    }

    @Test func aFailedInstallLeavesTheGenerationInForceAndTheNextChangeApplies() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        fixture.kernel.failNextInstall = BPFError("creating the policy image map", code: ENOMEM)
        fixture.write("b", denying: ["/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1])
        #expect(fixture.kernel.exec("/usr/local/bin/two") == .allow)
        #expect(fixture.entries.with(.generationFailed).count == 1)
        let failed = try #require(try fixture.state())
        #expect(failed.generation == 1)
        #expect(failed.problems.contains { $0.message.contains("creating the policy image map") })
        // The next change (or a retry) applies, numbered on from the one in force.
        fixture.write("c", denying: ["/usr/local/bin/three"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
        #expect(fixture.kernel.denies("/usr/local/bin/two"))
        #expect(fixture.kernel.denies("/usr/local/bin/three"))
    }

    /// Forty files of exact paths and regexes; one of them changed: only that file
    /// is read again, its patterns' automata are the only ones built again, and
    /// the image is byte for byte what a compile from scratch makes of the directory.
    @Test func aOneFileChangeRebuildsOnlyThatFileAndGivesTheFullCompilesImage() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        func policy(_ index: Int, extra: String = "") -> String {
            "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: p\(index) }\nspec:\n  rules:\n"
                + "    - exec: { path: /opt/app\(index)/bin/tool }\n      action: deny\n"
                + "    - exec: { pathRegex: \"^/usr/local/app\(index)/(bin|sbin)/t[0-9]*$\" }\n      action: deny\n"
                + extra
        }
        for index in 0..<40 { fixture.write(String(format: "%02d", index), text: policy(index)) }
        fixture.daemon.reload()
        #expect(fixture.daemon.builder.fileCache.lastReads == 40)
        #expect(fixture.daemon.builder.patternCache.count == 40)  // the regexes; literal paths are built directly
        // A file early in the order changes: every later rule's index shifts by one.
        fixture.write(
            "03",
            text: policy(3, extra: "    - exec: { pathRegex: \"^/srv/new/[a-z]+$\" }\n      action: audit\n"))
        fixture.daemon.reload()
        #expect(fixture.daemon.builder.fileCache.lastReads == 1, "unchanged files were read again")
        #expect(fixture.daemon.builder.patternCache.count == 41)
        let inForce = try #require(fixture.kernel.inForce)
        #expect(inForce.generation == 2)
        let scratch = try PolicyBuild.compile(
            try PolicyDirectory(path: fixture.policies, requireTrusted: false).read().flatMap(\.policies),
            generation: 2)
        #expect(inForce == scratch.image, "the incremental image differs from a full compile")
        #expect(fixture.kernel.denies("/usr/local/app39/sbin/t7"))
        #expect(!fixture.kernel.denies("/srv/new/x"))  // audit, not deny
        // A file removed: its patterns leave the cache too.
        fixture.remove("03")
        fixture.daemon.reload()
        #expect(fixture.daemon.builder.patternCache.count == 39)
    }

    /// Patterns that fit the exec automaton's state cap alone but no two together
    /// (each remembers the last 10 bytes after its letter): four apply, split into
    /// the four DFAs an image may have. A fifth, in a new file, does not fit: that
    /// file is set aside and named; a change made at the same time in another file
    /// applies, and so does the rest.
    @Test func aFileThatDoesNotFitWithTheRestIsSetAsideAndTheRestApplies() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        func regex(_ name: String, _ pattern: String) -> String {
            "apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: \(name) }\nspec:\n  rules:\n"
                + "    - exec: { pathRegex: \"\(pattern)\" }\n      action: deny\n"
        }
        for letter in ["a", "b", "d", "e"] { fixture.write(letter, text: regex(letter, "^/p/.*\(letter).{10}$")) }
        fixture.write("c", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1])
        #expect(fixture.kernel.denies("/p/xe0123456789"), "the fourth DFA is walked")
        fixture.write("f", text: regex("f", "^/p/.*f.{10}$"))
        fixture.write("c", denying: ["/usr/local/bin/one", "/usr/local/bin/two"])
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2], "the change to c.yaml was not applied")
        #expect(fixture.kernel.denies("/usr/local/bin/two"))
        #expect(fixture.kernel.denies("/p/xa0123456789"))
        #expect(fixture.kernel.denies("/p/xe0123456789"))
        #expect(!fixture.kernel.denies("/p/xf0123456789"), "f.yaml is in force")
        let refused = fixture.entries.with(.fileRefused)
        #expect(refused.count == 1)
        #expect(refused.first?.message.contains("f.yaml") == true)
        #expect(refused.first?.message.contains("more than 4 automata") == true)
        #expect(fixture.entries.with(.generationFailed).isEmpty)
    }

    @Test func removingEveryFileAppliesAnEmptyGeneration() throws {
        let fixture = try Fixture()
        defer { fixture.cleanUp() }
        fixture.write("a", denying: ["/usr/local/bin/one"])
        fixture.daemon.reload()
        fixture.remove("a")
        fixture.daemon.reload()
        #expect(fixture.kernel.installed.map(\.generation) == [1, 2])
        #expect(fixture.kernel.exec("/usr/local/bin/one") == .allow)
    }
}

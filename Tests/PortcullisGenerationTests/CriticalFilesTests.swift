import Glibc
import PortcullisPolicy
import Testing

@testable import PortcullisGeneration

/// An exec deny matching what the host cannot live without (issue 15): an error
/// at the rule unless it says `denyCriticalFiles: true`.
@Suite struct CriticalRulesTests {
    static let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
    static let loader = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    /// /sbin/init as the kernel names it on this host (a symlink to systemd on most).
    static let initPath = CriticalFiles.canonicalPath("/sbin/init") ?? "/sbin/init"

    static let fake = CriticalFiles([
        .init(path: libc, role: .library(of: "/sbin/init")),
        .init(path: loader, role: .loader),
        .init(path: initPath, role: .program("the init system (/sbin/init)")),
        .init(path: "/usr/lib/x86_64-linux-gnu/libsystemd-shared-252.so", role: .library(of: "/sbin/init")),
    ])

    static func policy(_ rule: String, mode: String = "enforce") -> [UInt8] {
        Array(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              mode: \(mode)
              rules:
                \(rule)

            """.utf8)
    }

    static func read(_ rule: String, mode: String = "enforce") -> PolicyFile {
        PolicyFileReader.read(policy(rule, mode: mode), file: "p.yaml", critical: { fake })
    }

    static func errors(_ file: PolicyFile) -> [Diagnostic] { file.diagnostics.filter { $0.severity == .error } }

    @Test func theBrickIsAnErrorAtItsRuleNamingLibc() throws {
        let file = Self.read("- exec: { pathRegex: \".{0,200}x.{0,200}\" }\n      action: deny")
        let errors = Self.errors(file)
        #expect(errors.count == 1, "\(file.diagnostics)")
        let error = try #require(errors.first)
        #expect((error.file, error.line, error.column) == ("p.yaml", 7, 7))
        #expect(error.message.contains("\(Self.libc) (a library of /sbin/init)"), "\(error.message)")
        #expect(error.message.contains("denyCriticalFiles: true"), "\(error.message)")
        #expect(!file.isUsable)
    }

    @Test func anAnchoredPatternIsNot() {
        let file = Self.read("- exec: { pathRegex: \"^/srv/x\" }\n      action: deny")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.isUsable)
    }

    @Test func aPrefixOverTheLibrariesIsAnError() {
        let errors = Self.errors(Self.read("- exec: { pathPrefix: /usr/lib/ }\n      action: deny"))
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains(Self.libc) == true, "\(errors)")
        #expect(errors.first?.message.contains("other critical file") == true, "\(errors)")
    }

    @Test func initByItsSymlinkIsAnError() {
        let errors = Self.errors(Self.read("- exec: { path: /sbin/init }\n      action: deny"))
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("\(Self.initPath) (the init system (/sbin/init))") == true, "\(errors)")
    }

    @Test func anExactLibraryIsAnError() {
        let errors = Self.errors(Self.read("- exec: { path: \(Self.loader) }\n      action: deny"))
        #expect(errors.first?.message.contains("\(Self.loader) (the dynamic loader): every program mapping it would fail") == true, "\(errors)")
    }

    @Test func anAcknowledgedRuleIsAWarning() {
        let file = Self.read(
            "- exec: { pathRegex: \".{0,200}x.{0,200}\" }\n      action: deny\n      denyCriticalFiles: true")
        #expect(Self.errors(file).isEmpty, "\(file.diagnostics)")
        #expect(file.isUsable)
        #expect(file.diagnostics.count == 1)
        #expect(file.diagnostics.first?.message.contains("on purpose") == true, "\(file.diagnostics)")
        #expect(file.policies.first?.rules.first?.denyCriticalFiles == true)
        // `false` is the default said out loud.
        #expect(Self.errors(Self.read("- exec: { pathPrefix: /usr/lib/ }\n      action: deny\n      denyCriticalFiles: false")).count == 1)
    }

    @Test func anAuditModePolicyIsNot() {
        let file = Self.read("- exec: { pathPrefix: /usr/lib/ }\n      action: deny", mode: "audit")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    }

    @Test func allowAndAuditRulesAreNot() {
        for action in ["allow", "audit"] {
            let file = Self.read("- exec: { pathPrefix: /usr/lib/ }\n      action: \(action)")
            #expect(file.diagnostics.isEmpty, "\(action): \(file.diagnostics)")
        }
    }

    @Test func conditionsDoNotLiftIt() {
        let rules = [
            "- exec: { pathPrefix: /usr/lib/, argsRegex: \"--now\" }\n      subject: { uid: 1000 }\n      action: deny",
            // No path condition: every program, every library.
            "- exec: { argsRegex: \"--now\" }\n      action: deny",
            "- exec: { pathPrefix: /usr/lib/, sha256: \(String(repeating: "ab", count: 32)) }\n      action: deny",
        ]
        for rule in rules {
            #expect(Self.errors(Self.read(rule)).count == 1, "\(rule)")
        }
    }

    @Test func anonymousAndContentOnlyRulesMatchNoPath() {
        for rule in [
            "- exec: { anonymous: true }\n      action: deny",
            "- exec: { sha256: \(String(repeating: "ab", count: 32)) }\n      action: deny",
        ] {
            #expect(Self.read(rule).diagnostics.isEmpty, "\(rule)")
        }
    }

    @Test func theKeyIsCheckedWhereItIsWritten() {
        let file = Self.read("- exec: { path: /usr/bin/x }\n      action: deny\n      denyCriticalFiles: maybe")
        let error = Self.errors(file).first
        #expect(error?.message == "expected true or false", "\(file.diagnostics)")
        #expect((error?.line, error?.column) == (9, 26))
        let capability = Self.read("- capability: [CAP_NET_ADMIN]\n      action: deny\n      denyCriticalFiles: true")
        #expect(Self.errors(capability).first?.message.contains("about exec rules") == true, "\(capability.diagnostics)")
        #expect((Self.errors(capability).first?.line, Self.errors(capability).first?.column) == (9, 7))
    }

    @Test func theSetIsAskedOnlyWhenARuleCouldMatch() {
        var asked = 0
        let bytes = Self.policy("- capability: [CAP_NET_ADMIN]\n      action: deny")
        _ = PolicyFileReader.read(bytes, file: "p.yaml", critical: { asked += 1; return Self.fake })
        #expect(asked == 0)
        _ = PolicyFileReader.read(
            Self.policy("- exec: { path: /usr/bin/x }\n      action: deny"), file: "p.yaml",
            critical: { asked += 1; return Self.fake })
        #expect(asked == 1)
    }

    @Test func manyRulesOneAutomaton() {
        let rules = (0..<50).map { CriticalRulesTests.rule("^/opt/app\($0)/") }
            + [CriticalRulesTests.rule("libc\\.so"), CriticalRulesTests.rule("^/usr/lib/systemd/x")]
        let hits = CriticalRules.hits(rules, in: Self.fake)
        #expect(hits.prefix(50).allSatisfy { $0.isEmpty })
        #expect(hits[50].map(\.path) == [Self.libc])
        #expect(hits[51].isEmpty)
    }

    static func rule(_ regex: String) -> Rule {
        Rule(
            operation: .exec(paths: [.regex(regex)], args: nil), subject: .everyone, action: .deny,
            source: SourceLocation(file: "p.yaml", line: 1, column: 1))
    }
}

/// The host's critical set, read from the ELF files themselves.
@Suite struct CriticalFilesTests {
    /// The mappings of this process (/proc/self/maps): start address → path.
    static func mappings() -> [(start: UInt, path: String)] {
        guard let bytes = try? bytes(of: "/proc/self/maps") else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, let dash = fields[0].firstIndex(of: "-"),
                let start = UInt(fields[0][..<dash], radix: 16)
            else { return nil }
            return (start, fields[5...].joined(separator: " "))
        }
    }

    /// An entry of this process's auxiliary vector (/proc/self/auxv: type and value, 64 bits each).
    static func auxiliary(_ type: UInt64) -> UInt? {
        guard let bytes = try? bytes(of: "/proc/self/auxv") else { return nil }
        let words = stride(from: 0, to: bytes.count - 7, by: 8).map { at in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
        }
        return stride(from: 0, to: words.count - 1, by: 2).first { words[$0] == type }.map { UInt(words[$0 + 1]) }
    }

    /// The loader this process was started by (AT_BASE is where the kernel mapped
    /// it) and its libc, as the kernel's mappings name them.
    static func loaderAndLibc() throws -> (loader: String, libc: String) {
        let base = try #require(auxiliary(7 /* AT_BASE */))
        let maps = mappings()
        let loader = try #require(maps.first { $0.start == base }?.path, "no mapping at AT_BASE")
        let libc = try #require(maps.first { $0.path.hasSuffix("/libc.so.6") }?.path, "no libc.so.6 mapped")
        return (loader, libc)
    }

    @Test func theHostSetHoldsTheLoaderAndLibcOfThisProcess() throws {
        let (loader, libc) = try Self.loaderAndLibc()
        let critical = CriticalFiles.current()
        #expect(critical.file(at: loader)?.role == .loader, "\(critical.sorted)")
        #expect(critical.file(at: libc) != nil, "\(critical.sorted)")
        #expect(critical.sorted.contains { $0.path.hasSuffix("libc.so.6") })
        let exe = try #require(CriticalFiles.canonicalPath("/proc/self/exe"))
        #expect(critical.file(at: exe) != nil)
        // The libraries this test binary finds through its DT_RUNPATH (the Swift runtime).
        let swiftCore = try #require(Self.mappings().first { $0.path.hasSuffix("/libswiftCore.so") }?.path)
        #expect(critical.file(at: swiftCore) != nil, "\(critical.sorted)")
    }

    @Test func onlyThisProcessAsARoot() throws {
        let (loader, libc) = try Self.loaderAndLibc()
        let (critical, read) = CriticalFiles.compute(
            roots: [.init(path: "/proc/self/exe", name: "the tests", description: "the test binary")],
            search: LibrarySearch(configuration: "/etc/ld.so.conf"))
        #expect(critical.file(at: libc)?.reason == "a library of the tests")
        #expect(critical.file(at: loader)?.reason == "the dynamic loader")
        #expect(critical.problems.isEmpty, "\(critical.problems)")
        #expect(read.contains(libc))
        // The interpreter as the file says it, canonical, is the one the kernel mapped.
        let own = try #require(ELFDependencies.read(path: "/proc/self/exe"))
        let interpreter = try #require(own.interpreter)
        #expect(CriticalFiles.canonicalPath(interpreter) == loader)
    }

    @Test func theCacheGivesTheSameSetUntilARootChanges() throws {
        let first = CriticalFilesCache.host.versioned()
        let second = CriticalFilesCache.host.versioned()
        #expect(first.version == second.version)
        #expect(first.files == second.files)
        // A root that is not an ELF file, then is one (a package upgrade replacing it).
        let dir = Self.scratch()
        defer {
            for name in ["program", "random"] { unlink("\(dir)/\(name)") }
            rmdir(dir)
        }
        Self.write((0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37) }, to: dir + "/random")
        #expect(symlink(dir + "/random", dir + "/program") == 0)
        let cache = CriticalFilesCache(
            roots: [.init(path: dir + "/program", name: "the program", description: "the program")], recheckAfter: 0)
        let before = cache.versioned()
        #expect(Set(before.files.files.keys) == [dir + "/random"])
        #expect(cache.versioned().version == before.version)
        let (_, libc) = try Self.loaderAndLibc()
        let exe = try #require(CriticalFiles.canonicalPath("/proc/self/exe"))
        #expect(unlink(dir + "/program") == 0)
        #expect(symlink(exe, dir + "/program") == 0)
        let after = cache.versioned()
        #expect(after.version != before.version)
        #expect(after.files.file(at: libc)?.reason == "a library of the program")
        #expect(cache.versioned().version == after.version)
    }

    static func scratch() -> String {
        let dir = "/tmp/pc-critical-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(dir, 0o700) == 0)
        return dir
    }

    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    @Test func malformedFilesGiveNothingAndDoNotCrash() throws {
        var rng = SystemRandomNumberGenerator()
        #expect(ELFDependencies.read(bytes: []) == nil)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 1...4096, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(ELFDependencies.read(bytes: bytes) == nil)
        }
        let (_, libcPath) = try Self.loaderAndLibc()
        let real = try Self.bytes(of: libcPath)
        let parsed = try #require(ELFDependencies.read(bytes: real))
        #expect(parsed.needed.contains { $0.hasPrefix("ld-linux") }, "\(parsed)")
        // A truncated header, a file cut anywhere: nothing (or what was whole), no crash.
        #expect(ELFDependencies.read(bytes: Array(real.prefix(40))) == nil)
        for length in [1, 4, 16, 52, 63, 64, 65, 120, 200, 500, 1000, 4096, 8192, 65_536, real.count / 2] {
            let cut = ELFDependencies.read(bytes: Array(real.prefix(length)))
            #expect(cut == nil || cut == parsed || cut?.needed.isEmpty == true, "\(length)")
        }
        // Bytes changed, in the headers or anywhere, in the smallest library of the
        // host's set that needs others (its dynamic section and strings are read):
        // whatever it reads, it reads in bounds.
        let small = try #require(
            CriticalFilesCache.host.versioned().files.sorted.compactMap { file -> [UInt8]? in
                guard case .library = file.role, let bytes = try? Self.bytes(of: file.path), bytes.count < 1 << 20,
                    ELFDependencies.read(bytes: bytes)?.needed.isEmpty == false
                else { return nil }
                return bytes
            }.min { $0.count < $1.count })
        // PORTCULLIS_ELF_MUTATIONS=100000 swift test --filter malformedFiles, for a longer run.
        let mutations = getenv("PORTCULLIS_ELF_MUTATIONS").flatMap { Int(String(cString: $0)) } ?? 2000
        var kept = 0
        for round in 0..<mutations {
            var mutated = small
            let span = round % 2 == 0 ? min(small.count, 4096) : small.count
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                mutated[Int.random(in: 0..<span, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if ELFDependencies.read(bytes: mutated) != nil { kept += 1 }
        }
        #expect(kept > 0, "no mutation left the file readable: the dynamic section was never reached")
        // The same from files, as roots: each is critical itself, with nothing more.
        let dir = Self.scratch()
        Self.write((0..<1000).map { _ in UInt8.random(in: 0...255, using: &rng) }, to: dir + "/random")
        Self.write(Array(real.prefix(40)), to: dir + "/truncated")
        Self.write([], to: dir + "/empty")
        #expect(ELFDependencies.read(path: dir + "/random") == nil)
        #expect(ELFDependencies.read(path: dir) == nil)
        let (critical, _) = CriticalFiles.compute(
            roots: ["random", "truncated", "empty", "missing"].map {
                .init(path: "\(dir)/\($0)", name: $0, description: $0)
            }, search: LibrarySearch(configured: []))
        #expect(Set(critical.files.keys) == Set(["random", "truncated", "empty"].map { "\(dir)/\($0)" }))
        #expect(critical.problems.count == 3)
        for name in ["random", "truncated", "empty"] { unlink("\(dir)/\(name)") }
        rmdir(dir)
    }

    static func bytes(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            out += buffer[..<n]
        }
        return out
    }

    /// An upgrade replaces portcullis while it runs: its /proc/PID/exe reads
    /// `PATH (deleted)`, and the program now at PATH is the one to keep working.
    @Test func aReplacedProgramIsFoundAtItsPath() throws {
        let dir = Self.scratch()
        let program = dir + "/sleeper"
        let original = try Self.bytes(of: "/usr/bin/sleep")
        Self.write(original, to: program)
        #expect(chmod(program, 0o700) == 0)
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), strdup("30"), nil]
        defer { for arg in argv { free(arg) } }
        try #require(posix_spawn(&pid, program, nil, nil, &argv, environ) == 0)
        defer {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            unlink(program)
            rmdir(dir)
        }
        #expect(CriticalFiles.canonicalPath("/proc/\(pid)/exe") == program)
        #expect(unlink(program) == 0)
        #expect(CriticalFiles.canonicalPath("/proc/\(pid)/exe") == nil)
        #expect(CriticalFiles.replacedProgram("/proc/\(pid)/exe") == nil, "nothing there yet")
        Self.write(original, to: program)
        #expect(CriticalFiles.replacedProgram("/proc/\(pid)/exe") == program)
        let (critical, _) = CriticalFiles.compute(
            roots: [.init(path: "/proc/\(pid)/exe", name: "sleep", description: "sleep")], search: LibrarySearch())
        #expect(critical.file(at: program)?.reason == "sleep")
        #expect(critical.sorted.contains { $0.path.hasSuffix("/libc.so.6") })
    }

    /// The loader passes over a library of another machine, and so does the search.
    @Test func aLibraryOfAnotherMachineIsPassedOver() throws {
        let (_, libc) = try Self.loaderAndLibc()
        let exe = try #require(CriticalFiles.canonicalPath("/proc/self/exe"))
        let own = try #require(ELFDependencies.read(path: exe))
        var bytes = try Self.bytes(of: libc)
        let dir = Self.scratch()
        defer {
            unlink(dir + "/libc.so.6")
            rmdir(dir)
        }
        let search = LibrarySearch(configured: [dir])
        func write(machine: UInt16) {
            (bytes[18], bytes[19]) = (UInt8(machine & 0xff), UInt8(machine >> 8))  // e_machine, little-endian
            Self.write(bytes, to: dir + "/libc.so.6")
        }
        write(machine: own.machine == 183 ? 62 : 183)  // EM_AARCH64, EM_X86_64
        let passedOver = search.resolve("libc.so.6", for: own, at: exe, program: (own, exe))
        #expect(passedOver.flatMap { CriticalFiles.canonicalPath($0.path) } == libc)
        write(machine: own.machine)
        #expect(search.resolve("libc.so.6", for: own, at: exe, program: (own, exe))?.path == dir + "/libc.so.6")
    }

    @Test func ldSoConfWithIncludes() throws {
        let dir = Self.scratch()
        mkdir(dir + "/conf.d", 0o700)
        Self.write(
            Array("# comment\n/opt/one/lib  # trailing\ninclude conf.d/*.conf\nhwcap 0 nosegneg\n/opt/two:/opt/three,/opt/four/\ninclude \(dir)/ld.so.conf\n".utf8),
            to: dir + "/ld.so.conf")
        Self.write(Array("/opt/b\n".utf8), to: dir + "/conf.d/b.conf")
        Self.write(Array("/opt/a\nrelative/dir\n".utf8), to: dir + "/conf.d/a.conf")
        let search = LibrarySearch(configuration: dir + "/ld.so.conf")
        // The file includes itself: read again up to the depth bound, the directories once.
        #expect(search.configured == ["/opt/one/lib", "/opt/a", "/opt/b", "/opt/two", "/opt/three", "/opt/four"])
        #expect(search.read.contains(dir + "/conf.d"))
        #expect(LibrarySearch.expand("$ORIGIN/../lib", origin: "/opt/x/bin/tool") == "/opt/x/bin/../lib")
        #expect(LibrarySearch.expand("${ORIGIN}", origin: "/tool") == "/")
        #expect(LibrarySearch.expand("$LIB/x", origin: "/tool") == nil)
        #expect(LibrarySearch.expand("lib", origin: "/tool") == nil)
        for name in ["conf.d/a.conf", "conf.d/b.conf", "ld.so.conf"] { unlink("\(dir)/\(name)") }
        rmdir(dir + "/conf.d")
        rmdir(dir)
    }
}

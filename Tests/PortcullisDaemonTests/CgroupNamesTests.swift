import PortcullisJournal
import SystemPackage
import Testing

@testable import PortcullisDaemon

/// A cgroup hierarchy of a few ids, counting the questions it is asked.
final class FakeCgroups: CgroupLookup {
    var paths: [UInt64: String]
    /// What asking an id not in `paths` fails with: ESTALE (removed), or EPERM
    /// (no CAP_DAC_READ_SEARCH) for every id.
    var failure: Errno = .staleNFSFileHandle
    var denyAll = false
    private(set) var pathQuestions: [UInt64] = []
    private(set) var idQuestions: [String] = []

    init(_ paths: [UInt64: String]) { self.paths = paths }

    func path(of id: UInt64) throws(Errno) -> String {
        pathQuestions.append(id)
        if denyAll { throw .notPermitted }
        guard let path = paths[id] else { throw failure }
        return path
    }

    func id(of path: String) throws(Errno) -> UInt64 {
        idQuestions.append(path)
        guard let id = paths.first(where: { $0.value == path })?.key else { throw .noSuchFileOrDirectory }
        return id
    }
}

/// The cgroup of a decision comes from the id the kernel recorded; /proc only
/// when the id names nothing now, and then only what the id does not contradict.
@Suite struct CgroupNamesTests {
    static let web = "/system.slice/web.service"

    @Test func theKernelsIdIsNamedAndKept() {
        let fake = FakeCgroups([42: Self.web])
        var procReads = 0
        let names = CgroupNames(lookup: { fake }, processCgroup: { _ in procReads += 1; return "/elsewhere" })
        #expect(names.cgroup(id: 42, tgid: 7) == .init(path: Self.web, source: .kernel))
        #expect(names.cgroup(id: 42, tgid: 8) == .init(path: Self.web, source: .kernel))
        #expect(fake.pathQuestions == [42])
        #expect(procReads == 0)
    }

    @Test func theCacheIsBounded() {
        let fake = FakeCgroups(Dictionary(uniqueKeysWithValues: (UInt64(1)...40).map { ($0, "/c\($0)") }))
        let names = CgroupNames(capacity: 8, lookup: { fake }, processCgroup: { _ in nil })
        for id in UInt64(1)...40 { #expect(names.cgroup(id: id, tgid: 1)?.path == "/c\(id)") }
        #expect(names.remembered == Array(33...40))
        // The newest are still known; the oldest is asked again.
        _ = names.cgroup(id: 40, tgid: 1)
        _ = names.cgroup(id: 1, tgid: 1)
        #expect(fake.pathQuestions == Array(1...40) + [1])
        #expect(names.remembered == Array(34...40) + [1])
    }

    @Test func idZeroIsUnknownAndNothingIsRead() {
        let fake = FakeCgroups([0: "/"])
        var procReads = 0
        let names = CgroupNames(lookup: { fake }, processCgroup: { _ in procReads += 1; return Self.web })
        #expect(names.cgroup(id: 0, tgid: 7) == nil)
        #expect(fake.pathQuestions.isEmpty && procReads == 0)
    }

    /// Without CAP_DAC_READ_SEARCH: /proc's path, confirmed by its id.
    @Test func procIsConfirmedByTheId() {
        let fake = FakeCgroups([42: Self.web])
        fake.denyAll = true
        let names = CgroupNames(lookup: { fake }, processCgroup: { $0 == 7 ? Self.web : nil })
        #expect(names.cgroup(id: 42, tgid: 7) == .init(path: Self.web, source: .kernel))
        #expect(fake.idQuestions == [Self.web])
        #expect(names.remembered == [42])
    }

    /// The process moved since (or its PID is another's): /proc names another cgroup.
    @Test func procContradictedByTheIdIsLeftOut() {
        let fake = FakeCgroups([43: Self.web])
        let names = CgroupNames(lookup: { fake }, processCgroup: { _ in Self.web })
        #expect(names.cgroup(id: 42, tgid: 7) == nil)
        #expect(names.remembered.isEmpty)
    }

    /// The cgroup was removed, and the path /proc gives is gone too: unconfirmed.
    @Test func procOfARemovedCgroupIsMarked() {
        let fake = FakeCgroups([:])
        let names = CgroupNames(lookup: { fake }, processCgroup: { _ in Self.web })
        #expect(names.cgroup(id: 42, tgid: 7) == .init(path: Self.web, source: .proc))
        #expect(names.remembered.isEmpty)
    }

    @Test func noHierarchyFallsBackToProc() {
        var opened = 0
        let names = CgroupNames(lookup: { opened += 1; return nil }, processCgroup: { _ in Self.web })
        #expect(names.cgroup(id: 42, tgid: 7) == .init(path: Self.web, source: .proc))
        #expect(names.cgroup(id: 43, tgid: 7) == .init(path: Self.web, source: .proc))
        #expect(opened == 1)
    }

    @Test func neitherIdNorProcIsUnknown() {
        let names = CgroupNames(lookup: { FakeCgroups([:]) }, processCgroup: { _ in nil })
        #expect(names.cgroup(id: 42, tgid: 7) == nil)
    }

    @Test(arguments: [
        ("0::/system.slice/nginx.service\n", "/system.slice/nginx.service"),
        ("0::/\n", "/"),
        // Hybrid: v1 hierarchies first; only the v2 line counts.
        ("12:pids:/user.slice\n1:name=systemd:/user.slice/x.scope\n0::/system.slice/a.service\n", "/system.slice/a.service"),
        ("0::/system.slice/gone.service (deleted)\n", "/system.slice/gone.service"),
        ("0::/a b/c\n", "/a b/c"),
    ])
    func procCgroupsV2Line(_ text: String, _ path: String) {
        #expect(CgroupNames.v2Path(text) == path)
    }

    @Test func procCgroupWithoutAV2LineIsNothing() {
        #expect(CgroupNames.v2Path("4:memory:/x\n1:name=systemd:/y.service\n") == nil)
        #expect(CgroupNames.v2Path("") == nil)
    }

    @Test(arguments: [
        ("/system.slice/nginx.service", "nginx.service"),
        ("/system.slice/nginx.service/worker", "nginx.service"),
        ("/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope", "run-r1.scope"),
        ("/user.slice/user-1000.slice", "user-1000.slice"),
        ("/system.slice/boot.mount", "boot.mount"),
        ("/system.slice/sshd.socket", "sshd.socket"),
        ("/pcvm.slice/pcvm-unit.service", "pcvm-unit.service"),
    ])
    func unitOfACgroupPath(_ path: String, _ unit: String) {
        #expect(CgroupNames.unit(ofPath: path) == unit)
    }

    @Test(arguments: ["/", "/jobs/7", "/.service", "/docker/0123abcd", ""])
    func noUnit(_ path: String) {
        #expect(CgroupNames.unit(ofPath: path) == nil)
    }
}

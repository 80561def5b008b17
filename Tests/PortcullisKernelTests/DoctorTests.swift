import PortcullisKernel
import Glibc
import Testing

@Suite struct DoctorTests {
    @Test func lsmRemedyKeepsEveryActiveLSMInOrderAndAddsBPF() {
        let remedy = Doctor.lsmRemedy(active: ["lockdown", "capability", "landlock", "yama", "apparmor"])
        #expect(remedy.contains("lsm=lockdown,capability,landlock,yama,apparmor,bpf "))
    }

    @Test func lsmRemedyNeverListsBPFTwice() {
        #expect(Doctor.lsmRemedy(active: ["bpf", "yama"]).contains("lsm=yama,bpf "))
    }

    @Test func unreadableLSMListDoesNotSuggestAList() {
        let checks = Doctor.run(lsmFile: "/nonexistent/lsm")
        let lsm = checks.first { $0.name == "BPF LSM active" }
        #expect(lsm?.ok == false)
        #expect(lsm?.remedy?.contains("lsm=") == false)
        #expect(lsm?.remedy?.contains("securityfs") == true)
    }
}

/// Content rules need IMA's SHA-256: its securityfs directory, and no other `ima_hash=`.
@Suite struct ContentHashingTests {
    static func fixture(ima: Bool, cmdline: String) throws -> (String, String) {
        let root = "/tmp/pc-content-hashing-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(root, 0o700) == 0)
        if ima { #expect(mkdir("\(root)/ima", 0o700) == 0) }
        let file = fopen("\(root)/cmdline", "w")
        fputs(cmdline, file)
        fclose(file)
        return (root, "\(root)/cmdline")
    }

    @Test func imaWithItsDefaultHashCanEnforce() throws {
        let (root, cmdline) = try Self.fixture(ima: true, cmdline: "BOOT_IMAGE=/vmlinuz root=/dev/vda1 quiet\n")
        #expect(ContentHashing.support(securityfs: root, commandLine: cmdline).ok)
        let sha256 = try Self.fixture(ima: true, cmdline: "quiet ima_hash=sha256\n")
        #expect(ContentHashing.support(securityfs: sha256.0, commandLine: sha256.1).ok)
    }

    @Test func noIMAOrAnotherHashCannot() throws {
        let (root, cmdline) = try Self.fixture(ima: false, cmdline: "quiet\n")
        let none = ContentHashing.support(securityfs: root, commandLine: cmdline)
        #expect(!none.ok && none.detail.contains("IMA"))
        let sha1 = try Self.fixture(ima: true, cmdline: "quiet ima_hash=sha1\n")
        let other = ContentHashing.support(securityfs: sha1.0, commandLine: sha1.1)
        #expect(!other.ok && other.detail.contains("sha1"))
    }
}

import Glibc
import PortcullisPolicy
import Testing

@testable import PortcullisGeneration

/// The admin's and the vendor's policy directories read as one, systemd's way,
/// and the trust checks on them and on every directory above them.
@Suite struct PolicyDirectoryTests {
    /// A scratch tree: `root/etc` (the admin's) and `root/vendor`, both 0755.
    struct Tree {
        let root: String
        var admin: String { root + "/etc" }
        var vendor: String { root + "/vendor" }

        init() {
            root = "/tmp/portcullis-dirs-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            for dir in [root, admin, vendor] { mkdir(dir, 0o755) }
            chmod(root, 0o755)  // whatever the umask
        }

        func write(_ path: String, policy name: String) {
            let text = """
                apiVersion: portcullis/v1alpha1
                kind: Policy
                metadata: { name: \(name) }
                spec:
                  rules:
                    - exec: { path: /usr/local/bin/\(name) }
                      action: deny

                """
            let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o644)
            precondition(fd >= 0)
            _ = text.utf8CString.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
            chmod(path, 0o644)
        }

        func cleanUp() {
            for dir in [admin, vendor, root + "/sub/deeper", root + "/sub"] {
                if let d = opendir(dir) {
                    while let entry = readdir(d) {
                        let name = withUnsafeBytes(of: entry.pointee.d_name) {
                            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                        }
                        if name != "." && name != ".." { unlink("\(dir)/\(name)") }
                    }
                    closedir(d)
                }
                rmdir(dir)
            }
            rmdir(root)
        }
    }

    static func names(_ files: [PolicyFile]) -> [String] { files.flatMap(\.policies).map(\.name) }

    @Test func theAdminsFileOverridesTheVendorsAndDevNullMasksIt() throws {
        let tree = Tree()
        defer { tree.cleanUp() }
        tree.write(tree.vendor + "/10-ssh.yaml", policy: "vendor-ssh")
        tree.write(tree.vendor + "/20-web.yaml", policy: "vendor-web")
        tree.write(tree.vendor + "/30-db.yaml", policy: "vendor-db")
        tree.write(tree.admin + "/20-web.yaml", policy: "admin-web")
        tree.write(tree.admin + "/25-admin.yaml", policy: "admin-own")
        #expect(symlink("/dev/null", tree.admin + "/30-db.yaml") == 0)
        let files = try PolicyDirectory(path: tree.admin, vendorPath: tree.vendor, requireTrusted: false).read()
        #expect(files.map(\.path) == [tree.vendor + "/10-ssh.yaml", tree.admin + "/20-web.yaml", tree.admin + "/25-admin.yaml"])
        #expect(Self.names(files) == ["vendor-ssh", "admin-web", "admin-own"])
        #expect(files.allSatisfy { $0.diagnostics.isEmpty })
    }

    @Test func aMaskWithNothingToMaskIsNoError() throws {
        let tree = Tree()
        defer { tree.cleanUp() }
        tree.write(tree.admin + "/10-a.yaml", policy: "a")
        #expect(symlink("/dev/null", tree.admin + "/20-b.yaml") == 0)
        #expect(symlink("/dev/null", tree.vendor + "/30-c.yaml") == 0)
        let files = try PolicyDirectory(path: tree.admin, vendorPath: tree.vendor, requireTrusted: false).read()
        #expect(files.map(\.path) == [tree.admin + "/10-a.yaml"])
        #expect(files.allSatisfy { $0.diagnostics.isEmpty })
    }

    @Test func aMissingVendorDirectoryIsEmptyAMissingAdminDirectoryIsAnError() throws {
        let tree = Tree()
        defer { tree.cleanUp() }
        tree.write(tree.admin + "/10-a.yaml", policy: "a")
        let files = try PolicyDirectory(path: tree.admin, vendorPath: tree.root + "/none", requireTrusted: true).read()
        #expect(Self.names(files) == ["a"] || getuid() != 0)
        #expect(throws: FileProblem.self) {
            try PolicyDirectory(path: tree.root + "/none", vendorPath: tree.vendor, requireTrusted: false).read()
        }
    }

    @Test func checkAsReplacesTheFileOfThatNameInEitherDirectory() throws {
        let tree = Tree()
        defer { tree.cleanUp() }
        tree.write(tree.vendor + "/20-web.yaml", policy: "web")
        tree.write(tree.vendor + "/30-db.yaml", policy: "db")
        let candidate = Array("apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: web }\nspec:\n  rules: []\n".utf8)
        // Installing 20-web.yaml in the admin's directory overrides the vendor's: the name `web` is no duplicate.
        let outcome = try PolicyBuild.read(
            installing: candidate, at: tree.admin + "/20-web.yaml", vendorPath: tree.vendor, trusted: false)
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.files.map(\.path) == [tree.admin + "/20-web.yaml", tree.vendor + "/30-db.yaml"])
        // Under another name it would clash with the vendor's policy `web`.
        let clash = try PolicyBuild.read(
            installing: candidate, at: tree.admin + "/40-web.yaml", vendorPath: tree.vendor, trusted: false)
        #expect(clash.diagnostics.contains { $0.severity == .error && $0.message.contains("already defined") })
    }

    // MARK: trust, as StrictModes

    @Test func everyDirectoryAboveMustBeRootsAndWritableByNobodyElse() throws {
        let tree = Tree()
        defer { tree.cleanUp() }
        mkdir(tree.root + "/sub", 0o755)
        mkdir(tree.root + "/sub/deeper", 0o755)
        let file = tree.root + "/sub/deeper/10-a.yaml"
        tree.write(file, policy: "a")
        chmod(tree.root + "/sub", 0o755)
        chmod(tree.root + "/sub/deeper", 0o755)
        guard getuid() == 0 else {
            // Not root: the scratch files are this user's, and that alone is refused.
            #expect(throws: FileProblem.self) { try FileTrust.check(file, directory: false) }
            return
        }
        try FileTrust.check(file, directory: false)  // root's all the way up; /tmp is sticky
        try FileTrust.check(tree.root + "/sub/deeper", directory: true)

        // A directory two levels up owned by someone else: the file is no longer trusted, and the error names it.
        #expect(chown(tree.root + "/sub", 65534, 65534) == 0)
        let owned = #expect(throws: FileProblem.self) { try FileTrust.check(file, directory: false) }
        #expect(owned?.message.contains("\(tree.root)/sub is owned by uid 65534") == true)
        // The directory read as a policy directory is refused as a whole.
        #expect(throws: FileProblem.self) { try PolicyDirectory(path: tree.root + "/sub/deeper").read() }
        #expect(chown(tree.root + "/sub", 0, 0) == 0)

        // World-writable without the sticky bit: refused; with it (as /tmp): trusted.
        chmod(tree.root + "/sub", 0o777)
        let writable = #expect(throws: FileProblem.self) { try FileTrust.check(file, directory: false) }
        #expect(writable?.message.contains("writable by group or others (mode 777) and not sticky") == true)
        chmod(tree.root + "/sub", 0o1777)
        try FileTrust.check(file, directory: false)
        chmod(tree.root + "/sub", 0o755)
    }

    @Test func aSymlinkedFileHasItsRealDirectoriesChecked() throws {
        guard getuid() == 0 else {
            #expect(throws: FileProblem.self) { try FileTrust.check("/tmp", directory: true) }  // 1777 is not go-w
            return
        }
        let tree = Tree()
        defer { tree.cleanUp() }
        mkdir(tree.root + "/sub", 0o755)
        chmod(tree.root + "/sub", 0o755)
        tree.write(tree.root + "/sub/real.yaml", policy: "real")
        #expect(symlink(tree.root + "/sub/real.yaml", tree.admin + "/10-link.yaml") == 0)
        let trusted = try PolicyDirectory(path: tree.admin).read()
        #expect(trusted.first?.diagnostics.isEmpty == true)
        #expect(chown(tree.root + "/sub", 65534, 65534) == 0)
        let refused = try PolicyDirectory(path: tree.admin).read()
        #expect(refused.first?.diagnostics.first?.message.contains("/sub is owned by uid 65534") == true)
        chown(tree.root + "/sub", 0, 0)
    }

    @Test func ancestorsRunFromTheParentUpToRoot() {
        #expect(FileTrust.ancestors(of: "/etc/policies.d/a.yaml") == ["/etc/policies.d", "/etc", "/"])
        #expect(FileTrust.ancestors(of: "/a") == ["/"])
        #expect(FileTrust.ancestors(of: "/") == ["/"])
    }
}

import PortcullisCompiler
import PortcullisPolicy
import Testing

/// Exec rules on literal paths also match the file by identity (hardlinks, bind mounts).
@Suite struct FileIdentityTests {
    static let at = SourceLocation(file: "i.yaml", line: 1, column: 1)

    static func evaluator(_ paths: [PathPattern], files: [String: FileIdentity]) throws -> ImageEvaluator {
        let rule = Rule(operation: .exec(paths: paths, args: nil), subject: .everyone, action: .deny, source: at)
        let policy = Policy(name: "i", source: at, mode: .enforce, rules: [rule])
        return ImageEvaluator(try PolicyCompiler.compile([policy], generation: 1, identify: { files[$0] }).image)
    }

    @Test func aHardlinkElsewhereIsDeniedByIdentity() throws {
        let kubectl = FileIdentity(device: 8 << 20 | 1, inode: 1234)
        let e = try Self.evaluator([.exact("/usr/bin/kubectl")], files: ["/usr/bin/kubectl": kubectl])
        #expect(e.exec(path: Array("/home/u/innocent".utf8), identity: kubectl) == .deny(rules: [0]))
        #expect(e.exec(path: Array("/home/u/innocent".utf8), identity: FileIdentity(device: 8 << 20 | 1, inode: 1235)) == .allow)
        #expect(e.exec(path: Array("/home/u/innocent".utf8), identity: FileIdentity(device: 8 << 20 | 2, inode: 1234)) == .allow)
    }

    @Test func literalRegexesCountAsLiteralPaths() throws {
        let file = FileIdentity(device: 1, inode: 99)
        let e = try Self.evaluator([.regex("^/usr/bin/kubectl$")], files: ["/usr/bin/kubectl": file])
        #expect(e.exec(path: Array("/mnt/copy/kubectl".utf8), identity: file) == .deny(rules: [0]))
    }

    @Test func prefixesAndPatternsHaveNoIdentity() throws {
        let file = FileIdentity(device: 1, inode: 99)
        let e = try Self.evaluator([.prefix("/usr/bin/kube"), .regex("kubectl$")], files: ["/usr/bin/kube": file])
        #expect(e.exec(path: Array("/x".utf8), identity: file) == .allow)
    }

    @Test(arguments: [1, 7, 100, 1000])
    func everyIdentityIsFoundAmongMany(count: Int) throws {
        var files: [String: FileIdentity] = [:]
        var paths: [PathPattern] = []
        for i in 0..<count {
            files["/bin/p\(i)"] = FileIdentity(device: UInt32(i % 3) << 20, inode: UInt64(i) &* 0x9e37_79b9_7f4a_7c15)
            paths.append(.exact("/bin/p\(i)"))
        }
        let e = try Self.evaluator(paths, files: files)
        for (path, identity) in files {
            #expect(e.exec(path: Array("/elsewhere".utf8), identity: identity) == .deny(rules: [0]), "\(path)")
        }
        #expect(e.exec(path: Array("/elsewhere".utf8), identity: FileIdentity(device: 5 << 20, inode: 1)) == .allow)
    }

    @Test func statDeviceEncodingBecomesTheKernels() {
        // glibc: major 259, minor 3 → st_dev 0x10303; the kernel: 259 << 20 | 3.
        #expect(FileIdentity(statDevice: 0x10303, inode: 7).device == 259 << 20 | 3)
        // A large minor (tmpfs/overlay anonymous devices): minor 300 → st_dev 0x1_2c00 | ...
        let dev = UInt64((300 & 0xff) | ((300 & ~0xff) << 12))
        #expect(FileIdentity(statDevice: dev, inode: 1).device == 300)
    }
}

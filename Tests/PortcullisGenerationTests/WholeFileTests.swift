import Glibc
import Testing

@testable import PortcullisGeneration

/// WholeFile, the one reader of small files (policy files, the digest store,
/// the loader's configuration): checks made on the descriptor it reads.
@Suite struct WholeFileTests {
    typealias T = ContentDigestsTests

    /// The problem reading with `body` reports; nil when it reads.
    func problem(_ body: () throws -> [UInt8]?) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? FileProblem)?.message ?? "not a FileProblem: \(error)"
        }
    }

    @Test func aFileIsReadWholeAndAMissingOneIsNilOnlyWhenAsked() throws {
        let dir = T.directory()
        T.write("abc\n", to: dir + "/file")
        #expect(try WholeFile(maxBytes: 4).read(dir + "/file") == Array("abc\n".utf8))
        #expect(try WholeFile(maxBytes: 4).readIfPresent(dir + "/missing") == nil)
        #expect(problem { try WholeFile(maxBytes: 4).read(dir + "/missing") }?.hasPrefix("cannot open: No such file") == true)
    }

    @Test func aFileOverTheBoundIsRefusedNotCut() {
        let dir = T.directory()
        T.write("abcde", to: dir + "/file")
        #expect(problem { try WholeFile(maxBytes: 4).read(dir + "/file") } == "larger than 4 bytes")
    }

    @Test func aFifoIsRefusedWithoutBlocking() {
        let dir = T.directory()
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        // No writer: a blocking open would hang here.
        #expect(problem { try WholeFile(maxBytes: 4).read(dir + "/fifo") } == "not a regular file")
    }

    @Test func noFollowRefusesASymlinkWhichIsFollowedOtherwise() {
        let dir = T.directory()
        T.write("abc", to: dir + "/file")
        #expect(symlink(dir + "/file", dir + "/link") == 0)
        #expect((try? WholeFile(maxBytes: 4).read(dir + "/link")) == Array("abc".utf8))
        #expect(problem { try WholeFile(maxBytes: 4, noFollow: true).read(dir + "/link") }?.hasPrefix("cannot open") == true)
    }

    @Test func rootOwnedRefusesAFileOthersCanWriteOrAnotherUsersFile() throws {
        try #require(geteuid() == 0, "giving a file away needs root")
        let dir = T.directory()
        let file = dir + "/file"
        T.write("abc", to: file)
        #expect(chmod(file, 0o644) == 0)
        #expect((try? WholeFile(maxBytes: 4, rootOwned: true).read(file)) == Array("abc".utf8))
        #expect(chmod(file, 0o664) == 0)
        #expect(problem { try WholeFile(maxBytes: 4, rootOwned: true).read(file) } == "writable by group or others (mode 664)")
        #expect((try? WholeFile(maxBytes: 4).read(file)) == Array("abc".utf8), "checked only when asked")
        #expect(chmod(file, 0o644) == 0 && chown(file, 1000, 1000) == 0)
        #expect(problem { try WholeFile(maxBytes: 4, rootOwned: true).read(file) } == "owned by uid 1000, not root")
    }
}

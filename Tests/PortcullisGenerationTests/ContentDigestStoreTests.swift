import Foundation
import Glibc
import PortcullisPolicy
import Synchronization
import Testing

@testable import PortcullisGeneration

/// The daemon's content digests kept across restarts (ContentDigestStore): a
/// restart reads only what changed, keeps what vanished, and a store that
/// cannot be trusted or read whole is not used at all, with a problem named.
@Suite struct ContentDigestStoreTests {
    typealias T = ContentDigestsTests

    /// Collects the problems a ContentDigests reports.
    final class Problems: Sendable {
        let seen = Mutex<[String]>([])
        var all: [String] { seen.withLock { $0 } }
        func report(_ problem: FileProblem) { seen.withLock { $0.append(problem.description) } }
    }

    struct Fixture {
        let dir = T.directory()
        var cache: String { dir + "/cache" }
        var file: String { cache + "/content-digests" }
        var store: ContentDigestStore { ContentDigestStore(directory: cache) }
        let problems = Problems()

        /// A daemon's digests, starting from the store (a start).
        func start() -> ContentDigests {
            let problems = problems
            return ContentDigests(store: store) { problems.report($0) }
        }

        func mode(_ path: String) -> (uid: uid_t, mode: mode_t)? {
            var st = stat()
            return stat(path, &st) == 0 ? (st.st_uid, st.st_mode & 0o7777) : nil
        }
    }

    @Test func aStartReadsOnlyWhatChangedAndKeepsWhatVanished() throws {
        let f = Fixture()
        let tool = f.dir + "/tool"
        T.write("abc", to: tool)
        let first = f.start()
        #expect(first.digests(of: [tool])[tool]?.hex == T.abc)
        #expect(first.filesRead == 1)
        #expect(f.mode(f.cache)?.mode == 0o700, "the cache directory is created root's alone")
        #expect(f.mode(f.file)?.mode == 0o600)

        // Restarted: the same file is not read again.
        let second = f.start()
        #expect(second.digests(of: [tool])[tool]?.hex == T.abc)
        #expect(second.filesRead == 0)

        // Renamed away while stopped: the last digest seen stays across the restart.
        #expect(rename(tool, f.dir + "/elsewhere") == 0)
        let third = f.start()
        #expect(third.digests(of: [tool])[tool]?.hex == T.abc)

        // Another file there while stopped: read, and kept for the next start.
        T.write("abcd", to: tool)
        let fourth = f.start()
        #expect(fourth.digests(of: [tool])[tool]?.hex == T.abcd)
        #expect(fourth.filesRead == 1)
        #expect(f.start().digests(of: [tool])[tool]?.hex == T.abcd)
        #expect(f.problems.all.isEmpty, "\(f.problems.all)")
    }

    @Test func aFileNamedByTwoPathsIsReadOnce() throws {
        let f = Fixture()
        let target = f.dir + "/target"
        T.write("abc", to: target)
        #expect(symlink(target, f.dir + "/link") == 0)
        let digests = f.start()
        let got = digests.digests(of: [target, f.dir + "/link"])
        #expect(got[target]?.hex == T.abc && got[f.dir + "/link"]?.hex == T.abc)
        #expect(digests.filesRead == 1)
    }

    @Test func aStoreOthersCanWriteIsNotUsed() throws {
        let f = Fixture()
        let tool = f.dir + "/tool"
        T.write("abc", to: tool)
        _ = f.start().digests(of: [tool])
        // A digest of other content, as someone else might have put it there.
        let forged = try String(contentsOfFile: f.file).replacingOccurrences(of: T.abc, with: T.abcd)
        T.write(forged, to: f.file)
        #expect(chmod(f.file, 0o666) == 0)
        let restarted = f.start()
        #expect(restarted.digests(of: [tool])[tool]?.hex == T.abc, "the file is read again")
        #expect(restarted.filesRead == 1)
        #expect(f.problems.all.count == 1 && f.problems.all[0].contains("writable by group or others (mode 666)"), "\(f.problems.all)")
        // Another user's file (as root, who can give it away): not used either.
        if getuid() == 0 {
            T.write(forged, to: f.file)
            #expect(chmod(f.file, 0o600) == 0 && chown(f.file, 65534, 65534) == 0)
            let again = f.start()
            #expect(again.digests(of: [tool])[tool]?.hex == T.abc)
            #expect(f.problems.all.last?.contains("owned by uid 65534, not root") == true, "\(f.problems.all)")
        }
    }

    @Test func aStoreInADirectoryOthersCanWriteIsNotUsed() throws {
        let f = Fixture()
        let tool = f.dir + "/tool"
        T.write("abc", to: tool)
        _ = f.start().digests(of: [tool])
        #expect(chmod(f.cache, 0o777) == 0)
        let restarted = f.start()
        _ = restarted.digests(of: [tool])
        #expect(restarted.filesRead == 1)
        #expect(f.problems.all.first?.contains("writable by group or others") == true, "\(f.problems.all)")
        // Reported once, not at every compile.
        T.write("abcd", to: tool)
        _ = restarted.digests(of: [tool])
        #expect(f.problems.all.count == 1, "\(f.problems.all)")
    }

    @Test func aSymlinkedStoreIsNotFollowed() throws {
        let f = Fixture()
        #expect(mkdir(f.cache, 0o700) == 0)
        T.write(ContentDigestStore.header + "\n", to: f.dir + "/decoy")
        #expect(symlink(f.dir + "/decoy", f.file) == 0)
        _ = f.start()
        #expect(f.problems.all.first?.contains("cannot open") == true, "\(f.problems.all)")
    }

    @Test func aStoreThatDoesNotReadWholeIsNotUsedAndNamesItsLine() throws {
        let f = Fixture()
        let tool = f.dir + "/tool"
        T.write("abc", to: tool)
        _ = f.start().digests(of: [tool])
        let text = try String(contentsOfFile: f.file)
        T.write(text + "\(T.abc) 1 2 3 4 5 6 7 relative/path\n", to: f.file)
        let restarted = f.start()
        _ = restarted.digests(of: [tool])
        #expect(restarted.filesRead == 1)
        #expect(f.problems.all.first?.contains("line 3: not a content digest entry") == true, "\(f.problems.all)")
        // Written whole again by that compile: the next start uses it.
        let next = f.start()
        _ = next.digests(of: [tool])
        #expect(next.filesRead == 0)
    }

    @Test func entriesReadBackAsWritten() throws {
        let digest = try #require(ContentDigest(hex: T.abc))
        let version = ContentDigests.Version(
            device: 2049, inode: 1234, size: 3, modified: timespec(tv_sec: 1_700_000_000, tv_nsec: 5),
            changed: timespec(tv_sec: 1_700_000_001, tv_nsec: 999_999_999))
        let entries = [
            "/opt/with space/tool": ContentDigests.Entry(version: version, digest: digest),
            "/usr/bin/x": ContentDigests.Entry(version: version, digest: digest),
        ]
        let text = ContentDigestStore.encode(entries.merging(["/bad\nname": entries["/usr/bin/x"]!]) { a, _ in a })
        let read = try ContentDigestStore.decode(ArraySlice(text.utf8), path: "store")
        #expect(read == entries)
        #expect(throws: FileProblem.self) {
            try ContentDigestStore.decode(ArraySlice("portcullis content digests 0\n".utf8), path: "store")
        }
    }
}

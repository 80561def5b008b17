import Glibc
@testable import PortcullisDaemon
import Testing
import PortcullisGeneration

/// /etc/portcullis/portcullis.conf: `key = value` lines, errors with line and column.
@Suite struct SettingsFileTests {
    @Test func lockIsReadWithCommentsAndBlankLines() throws {
        let text = "# portcullis\n\n  lock = yes   # until reboot\n"
        #expect(try SettingsFile.parse(text, path: "p.conf") == SettingsFile(lock: true))
        #expect(try SettingsFile.parse("lock=no", path: "p.conf") == SettingsFile(lock: false))
        #expect(try SettingsFile.parse("", path: "p.conf") == SettingsFile())
    }

    @Test func mistakesNameTheLineAndColumn() {
        #expect(throws: SettingsFile.Problem.self) { try SettingsFile.parse("lock = maybe", path: "p.conf") }
        do {
            _ = try SettingsFile.parse("lock = yes\n   locked = yes\n", path: "p.conf")
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.description == "p.conf:2:4: error: unknown setting `locked` (known: lock)")
        }
        do {
            _ = try SettingsFile.parse("lock yes", path: "p.conf")
            Issue.record("a line without = was accepted")
        } catch {
            #expect(error.line == 1 && error.message == "expected `key = value`")
        }
    }

    @Test func aMissingFileIsTheDefaults() throws {
        #expect(try SettingsFile.read("/nonexistent/portcullis.conf") == SettingsFile())
    }

    @Test func aFileOthersMayWriteIsRefused() throws {
        let directory = "/tmp/portcullis-settings-\(getpid())"
        mkdir(directory, 0o755)
        let path = "\(directory)/portcullis.conf"
        defer {
            unlink(path)
            rmdir(directory)
        }
        let f = fopen(path, "w")!
        fputs("lock = yes\n", f)
        fclose(f)
        chmod(path, 0o666)
        #expect(throws: FileProblem.self) { try SettingsFile.read(path) }
        chmod(path, 0o644)
        if getuid() == 0 {
            #expect(try SettingsFile.read(path) == SettingsFile(lock: true))
        } else {
            #expect(throws: FileProblem.self) { try SettingsFile.read(path) }  // not root's: not trusted either
        }
    }
}

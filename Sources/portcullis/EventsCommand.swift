import ArgumentParser
import FoundationEssentials
import PortcullisDaemon
import PortcullisSystem
import SystemPackage

/// Follows the daemon's decision feed.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow deny and audit decisions as the daemon reports them (Ctrl-C to stop).",
        discussion: """
            Each decision is also in the journal: journalctl -t portcullis MESSAGE_ID=02fe78495fa04bdabcc0ea9ff1ba1e43 \
            for denials.
            """)

    @Option(name: .customLong("runtime-dir"), help: "The daemon's runtime directory (its decision feed).")
    var runtimeDirectory = RuntimeDirectory.defaultPath

    @Flag(help: "Print each decision as a JSON line, with the fields of its journal entry.") var json = false

    @Option(help: "Stop after this many decisions.") var count: Int?

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() throws {
        let path = RuntimeDirectory(path: runtimeDirectory).eventsSocket
        let socket: FileDescriptor
        do {
            socket = try UnixSocket.connect(to: path)
        } catch {
            _ = try? FileDescriptor.standardError.writeAll("portcullis events: cannot connect to \(path): \(error) (is the daemon running?)\n".utf8)
            throw ExitCode(1)
        }
        defer { try? socket.close() }
        var seen = 0
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try socket.read(into: $0) }
            if n == 0 {
                _ = try? FileDescriptor.standardError.writeAll("portcullis events: the daemon closed the feed\n".utf8)
                throw ExitCode(1)
            }
            pending += buffer[..<n]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                let text = json ? String(decoding: line, as: UTF8.self) : Self.message(line)
                _ = try FileDescriptor.standardOutput.writeAll((text + "\n").utf8)  // unbuffered: a line as it comes
                seen += 1
                if let count, seen >= count { return }
            }
        }
    }

    /// The entry's MESSAGE, or the line itself when it has none.
    static func message(_ line: [UInt8]) -> String {
        struct Entry: Decodable { var MESSAGE: String }
        return (try? JSONDecoder().decode(Entry.self, from: Data(line)))?.MESSAGE ?? String(decoding: line, as: UTF8.self)
    }
}

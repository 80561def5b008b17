import Dispatch
import Foundation
import PortcullisJournal
import PortcullisSystem
import SystemPackage
import Testing

@testable import PortcullisDaemon

/// The decision feed sends each entry as a JSON line to every client, and
/// forgets clients that are gone.
@Suite struct DecisionFeedTests {
    @Test func sendsEachEntryToEveryClient() throws {
        let dir = NSTemporaryDirectory() + "feed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let queue = DispatchQueue(label: "feed-test")
        let feed = try DecisionFeed(path: dir + "/events.sock", queue: queue)
        queue.sync { feed.start() }
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/events.sock")[.posixPermissions] as? Int
        #expect(mode == 0o600, "root only")

        let clients = try (0..<2).map { _ in try UnixSocket.connect(to: dir + "/events.sock") }
        defer { for c in clients { try? c.close() } }
        let gone = try UnixSocket.connect(to: dir + "/events.sock")
        try gone.close()
        // Let the feed accept all three before publishing.
        for _ in 0..<50 { queue.sync {}; usleep(20_000) }
        let entry = JournalEntry("denied", priority: .warning, messageID: .decisionDeny, fields: [(.path, "/usr/bin/kubectl")])
        queue.sync { feed.publish(entry) }
        for client in clients {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = try buffer.withUnsafeMutableBytes { try client.read(into: $0) }
            let line = String(decoding: buffer[..<n], as: UTF8.self)
            #expect(line == JSONLinesSink.line(entry))
        }
        withExtendedLifetime(feed) {}
    }
}

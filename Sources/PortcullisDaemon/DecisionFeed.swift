import Dispatch
import Glibc
import PortcullisJournal
import PortcullisSystem
import SystemPackage

/// The daemon's live feed of decisions for `portcullis events`: each decision
/// entry as one JSON line (the fields of its journal entry) to every client
/// connected to a root-only socket in the runtime directory.
///
/// The daemon never waits for a client: a client that cannot take a line at
/// once (its socket buffer is full) is disconnected, and `events` says so.
final class DecisionFeed: @unchecked Sendable {
    private let listener: FileDescriptor
    private let queue: DispatchQueue
    private var acceptSource: DispatchSourceRead?
    private var clients: [Int32: (fd: FileDescriptor, hangup: DispatchSourceRead)] = [:]

    init(path: String, queue: DispatchQueue) throws(Errno) {
        listener = try UnixSocket.listen(at: path)
        self.queue = queue
    }

    /// Starts accepting clients; call on `queue`.
    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: listener.rawValue, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptAll() }
        source.setCancelHandler { [listener] in try? listener.close() }
        source.resume()
        acceptSource = source
    }

    /// Sends `entry` to every client; call on `queue`.
    func publish(_ entry: JournalEntry) {
        guard !clients.isEmpty else { return }
        let line = Array(JSONLinesSink.line(entry).utf8)
        for (key, client) in clients where !UnixSocket.sendWithoutBlocking(client.fd, line) {
            drop(key)
        }
    }

    private func acceptAll() {
        while let client = try? UnixSocket.accept(listener) {
            // Clients send nothing: readable means gone (EOF), so close it.
            let hangup = DispatchSource.makeReadSource(fileDescriptor: client.rawValue, queue: queue)
            let key = client.rawValue
            hangup.setEventHandler { [weak self] in self?.drop(key) }
            hangup.setCancelHandler { try? client.close() }
            hangup.resume()
            clients[key] = (client, hangup)
        }
    }

    private func drop(_ key: Int32) {
        clients.removeValue(forKey: key)?.hangup.cancel()
    }
}

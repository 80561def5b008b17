import Glibc
import PortcullisGeneration

/// The daemon's runtime directory (`/run/portcullis`, systemd's RuntimeDirectory=):
/// the state file `portcullis status` reads and the socket `portcullis events`
/// follows. Root only (mode 0700): both name policies, files and processes.
public struct RuntimeDirectory: Sendable {
    public static let defaultPath = "/run/portcullis"
    public var path: String

    public init(path: String = RuntimeDirectory.defaultPath) { self.path = path }

    /// What the daemon last did: `DaemonState` as JSON.
    public var stateFile: String { "\(path)/state.json" }
    /// Decisions as JSON lines, to every client connected.
    public var eventsSocket: String { "\(path)/events.sock" }

    /// Creates the directory (mode 0700) if it is missing; refuses one that is not
    /// root's or that others can write, since the daemon writes there as root.
    func create() throws(FileProblem) {
        try FileTrust.createDirectory(path, purpose: "runtime directory")
    }
}

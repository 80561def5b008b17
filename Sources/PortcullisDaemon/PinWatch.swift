import Dispatch
import PortcullisKernel
import PortcullisSystem
import SystemPackage

/// Tamper protection's eyes on the pins: inotify on the pin directories and on
/// the directory above them, so a pin removed, renamed or pinned over is seen at
/// once, without polling. After every batch of events the directories are
/// watched again (a removed one may be back). Confined to `queue`.
final class PinWatch: @unchecked Sendable {
    private let fd: FileDescriptor
    private let directories: [String]
    private var watches: [Int32] = []
    private var source: (any DispatchSourceRead)?

    static let mask: Inotify.Mask = [.create, .delete, .movedFrom, .movedTo, .deleteSelf, .moveSelf]

    /// Watches `pins`; `onChange` runs on `queue` after each batch of events.
    init(pins: Pins, queue: DispatchQueue, onChange: @escaping @Sendable () -> Void) throws(Errno) {
        fd = try Inotify.open()
        let root = pins.root
        let parent = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)])
        directories = [parent.isEmpty ? "/" : parent] + pins.directories
        let source = DispatchSource.makeReadSource(fileDescriptor: fd.rawValue, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            _ = try? Inotify.readEvents(self.fd)
            onChange()
            self.arm()
        }
        source.setCancelHandler { [fd] in try? fd.close() }
        self.source = source
        arm()
        source.resume()
    }

    deinit { source?.cancel() }

    /// (Re)watches every directory that exists now; a missing one is watched once it is back.
    private func arm() {
        for watch in watches { try? Inotify.removeWatch(fd, watch) }
        watches = directories.compactMap { try? Inotify.addWatch(fd, path: $0, mask: Self.mask) }
    }
}

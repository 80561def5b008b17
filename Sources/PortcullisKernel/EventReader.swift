import CBPF
import Dispatch
import Glibc

/// Reads decision events from the `pc_events` ring buffer, driven by a
/// DispatchSource on the ring buffer's epoll descriptor.
public final class EventReader: @unchecked Sendable {
    private let ring: OpaquePointer
    private let box: Box
    private var source: DispatchSourceRead?

    final class Box {
        let handler: (DecisionEvent) -> Void
        init(_ handler: @escaping (DecisionEvent) -> Void) { self.handler = handler }
    }

    /// `handler` runs on `queue` for each event.
    init(mapFD: Int32, queue: DispatchQueue, handler: @escaping (DecisionEvent) -> Void) throws(BPFError) {
        box = Box(handler)
        let context = Unmanaged.passUnretained(box).toOpaque()
        guard let ring = ring_buffer__new(mapFD, { context, data, size in
            guard let context, let data else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(context).takeUnretainedValue()
            if let event = DecisionEvent(bytes: UnsafeRawBufferPointer(start: data, count: size)) {
                box.handler(event)
            }
            return 0
        }, context, nil) else {
            throw BPFError("opening the event ring buffer")
        }
        self.ring = ring
        let source = DispatchSource.makeReadSource(
            fileDescriptor: ring_buffer__epoll_fd(ring), queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            _ = ring_buffer__consume(self.ring)
        }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
        ring_buffer__free(ring)
    }
}

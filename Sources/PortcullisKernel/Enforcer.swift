import CBPF
import CPortcullisABI
import Dispatch
import Glibc
import PortcullisBPFObject
import PortcullisCompiler

/// The BPF-LSM programs, loaded and attached once, and the policy slot they read.
///
/// Not thread-safe: the daemon confines each Enforcer to one serial queue.
public final class Enforcer: @unchecked Sendable {
    /// The programs in the embedded object; each attaches where its section says.
    public static let programs = ["pc_exec", "pc_exec_done", "pc_task_alloc", "pc_capable"]

    private let object: OpaquePointer
    private var links: [OpaquePointer] = []
    private let imageSlot: Int32
    private let events: Int32
    private let stats: Int32

    /// Loads the embedded object into the kernel and attaches every program.
    public init() throws(BPFError) {
        let bytes = EmbeddedBPF.object
        let opened = bytes.withUnsafeBytes { buffer in
            bpf_object__open_mem(buffer.baseAddress, buffer.count, nil)
        }
        guard let opened else { throw BPFError("opening the embedded BPF object") }
        object = opened
        do throws(BPFError) {
            try check("loading the BPF programs", bpf_object__load(object))
            imageSlot = try Self.mapFD(object, "pc_image")
            events = try Self.mapFD(object, "pc_events")
            stats = try Self.mapFD(object, "pc_stats")
            for name in Self.programs {
                guard let program = bpf_object__find_program_by_name(object, name) else {
                    throw BPFError("finding program \(name)", code: ENOENT)
                }
                guard let link = bpf_program__attach(program) else {
                    throw BPFError("attaching \(name)")
                }
                links.append(link)
            }
        } catch {
            for link in links { bpf_link__destroy(link) }
            bpf_object__close(opened)
            throw error
        }
    }

    static func mapFD(_ object: OpaquePointer, _ name: String) throws(BPFError) -> Int32 {
        guard let map = bpf_object__find_map_by_name(object, name) else {
            throw BPFError("finding map \(name)", code: ENOENT)
        }
        return bpf_map__fd(map)
    }

    /// Starts delivering decision events to `handler` on `queue`; keep the reader alive.
    public func readEvents(
        on queue: DispatchQueue, handler: @escaping (DecisionEvent) -> Void
    ) throws(BPFError) -> EventReader {
        try EventReader(mapFD: events, queue: queue, handler: handler)
    }

    /// The kernel's counters (enum pc_stat), summed over CPUs.
    public func statistics() throws(BPFError) -> EventStatistics {
        let cpus = Int(libbpf_num_possible_cpus())
        var totals = [UInt64](repeating: 0, count: Int(PC_STAT_COUNT.rawValue))
        for stat in totals.indices {
            var key = UInt32(stat)
            var values = [UInt64](repeating: 0, count: max(cpus, 1))
            try check("reading pc_stats", bpf_map_lookup_elem(stats, &key, &values))
            totals[stat] = values.reduce(0, &+)
        }
        return EventStatistics(
            sent: totals[Int(PC_STAT_EVENTS.rawValue)],
            droppedByRateLimit: totals[Int(PC_STAT_DROPPED_RATE_LIMIT.rawValue)],
            droppedRingFull: totals[Int(PC_STAT_DROPPED_RING_FULL.rawValue)])
    }

    deinit {
        for link in links { bpf_link__destroy(link) }
        bpf_object__close(object)
    }

    /// Makes `image` the policy in force: a fresh map holds it, frozen, and one
    /// write to the slot swaps it in. Programs see the old image or the new one.
    public func install(_ image: PolicyImage) throws(BPFError) {
        let map = try ImageMap(image)
        defer { close(map.fd) }
        var slot: UInt32 = 0
        var fd = map.fd
        try check("installing the policy image", bpf_map_update_elem(imageSlot, &slot, &fd, UInt64(BPF_ANY)))
    }

    /// The kernel's ids of the loaded programs, by name (stable while attached).
    public func programIDs() throws(BPFError) -> [String: UInt32] {
        var ids: [String: UInt32] = [:]
        for name in Self.programs {
            guard let program = bpf_object__find_program_by_name(object, name) else { continue }
            var info = bpf_prog_info()
            var length = UInt32(MemoryLayout<bpf_prog_info>.size)
            try check("reading the id of \(name)", bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length))
            ids[name] = info.id
        }
        return ids
    }
}

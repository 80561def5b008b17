import CBPF
import CPortcullisABI
import Dispatch
import Glibc
import PortcullisBPFObject
import PortcullisCompiler

/// The BPF-LSM programs, attached once and pinned, and the maps the daemon writes.
///
/// Starting adopts what an earlier daemon pinned when it is this very build of
/// the programs (no gap, no second attachment); otherwise it loads the embedded
/// object, reusing the pinned maps, attaches new links and only then replaces
/// the old link pins, so enforcement never lapses.
///
/// Not thread-safe: the daemon confines each Enforcer to one serial queue.
public final class Enforcer: @unchecked Sendable {
    /// The programs in the embedded object; each attaches where its section says.
    public static let programs = [
        "pc_exec", "pc_mmap_exec", "pc_mprotect_exec", "pc_exec_done", "pc_task_alloc", "pc_capable",
        "pc_mount", "pc_move_mount", "pc_seed", "pc_content_open", "pc_content_truncate",
    ] + guardPrograms
    /// Tamper protection (guard.bpf.c).
    public static let guardPrograms = [
        "pc_guard_map", "pc_guard_ptrace", "pc_guard_signal", "pc_guard_unlink", "pc_guard_rmdir",
        "pc_guard_rename", "pc_guard_umount", "pc_guard_exit",
    ]

    public enum Start: String, Sendable {
        /// Nothing was pinned: programs loaded and attached.
        case attached
        /// This build's programs were pinned and attached: adopted as they are.
        case adopted
        /// Another build's programs were pinned: replaced without a gap.
        case upgraded
    }

    public let pins: Pins
    public let start: Start
    /// What verifying the programs cost when this Enforcer loaded them; empty when adopted.
    public let verifierCosts: [VerifierCost]
    /// Our descriptors for every pinned map (Pins.maps), by name: the kernel gives
    /// writable ones to the guardian only, which opening pc_guard first makes us.
    let maps: [String: Int32]
    /// Our descriptors for every link, by program: while we hold them the programs
    /// stay attached even if their pins go, and the pins can be put back.
    private(set) var links: [String: Int32]
    /// The image map in force, as this Enforcer installed it (to put it back).
    var activeImage: Int32?
    /// The subject epochs of the images it installs (from the one in force at the first install).
    private var epochs: SubjectEpochs?
    var imageSlot: Int32 { maps["pc_image"]! }
    private var events: Int32 { maps["pc_events"]! }
    private var stats: Int32 { maps["pc_stats"]! }
    private var tasks: Int32 { maps["pc_tasks"]! }
    private var hostMounts: Int32 { maps["pc_host_mounts"]! }
    private var hostFilter: Int32 { maps["pc_host_filter"]! }
    private var summary: Int32 { maps["pc_summary"]! }

    public init(pins: Pins = Pins()) throws(BPFError) {
        self.pins = pins
        let build = Self.buildHash
        // Pinned maps go to the guardian only: become it (or learn who is) before anything else.
        if Pins.exists(pins.map("pc_guard")) { close(try Self.claimGuard(pins)) }
        let pinned = Pins.exists(pins.map("pc_meta"))
            && Self.programs.allSatisfy { Pins.exists(pins.link($0)) }
        if pinned, (try? Self.pinnedBuild(pins)) == build {
            start = .adopted
            verifierCosts = []
        } else {
            verifierCosts = try ProgramLoader.loadAndAttach(pins: pins, build: build)
            start = pinned ? .upgraded : .attached
        }
        (maps, links) = try Self.openPins(pins)
        try refreshHostMounts()
    }

    deinit {
        for fd in Array(maps.values) + Array(links.values) + [activeImage].compactMap({ $0 }) { close(fd) }
    }

    /// Opens every pinned map, pc_guard first (that claims the guardian post, or
    /// finds it taken), and every link. A daemon that just exited holds the post
    /// until the kernel frees its process: that is waited for, up to 5 s.
    static func openPins(_ pins: Pins) throws(BPFError) -> ([String: Int32], [String: Int32]) {
        var maps: [String: Int32] = ["pc_guard": try claimGuard(pins)]
        var links: [String: Int32] = [:]
        func closeAll() { for fd in Array(maps.values) + Array(links.values) { close(fd) } }
        do throws(BPFError) {
            for name in Pins.maps where name != "pc_guard" { maps[name] = try openPinned(pins.map(name)) }
            for name in programs { links[name] = try openPinned(pins.link(name)) }
        } catch {
            closeAll()
            throw error
        }
        return (maps, links)
    }

    static func openPinned(_ path: String) throws(BPFError) -> Int32 {
        let fd = bpf_obj_get(path)
        guard fd >= 0 else { throw BPFError("opening \(path)") }
        return fd
    }

    /// Opens pc_guard for writing, which makes this process the guardian when the
    /// post is vacant (or finds that it is already). A daemon that just exited holds
    /// the post until the kernel frees its process: that is waited for, up to 5 s.
    static func claimGuard(_ pins: Pins) throws(BPFError) -> Int32 {
        var waited = 0
        while true {
            let fd = bpf_obj_get(pins.map("pc_guard"))
            if fd >= 0 { return fd }
            let code = errno
            guard code == EPERM, waited < 100 else {
                throw BPFError(
                    "opening the pinned map \(pins.map("pc_guard"))", code: code,
                    hint: code == EPERM
                        ? "tamper protection gives our maps to one process only: another holds them (is a daemon "
                            + "running?), or enforcement is locked until reboot" : nil)
            }
            usleep(50_000)
            waited += 1
        }
    }

    /// Lets go of the links: from here only their pins keep the programs attached
    /// (before a disarm, which removes the pins).
    public func releaseLinks() {
        for fd in links.values { close(fd) }
        links = [:]
    }

    /// The host's mount table as last written to pc_host_mounts.
    private var hostMountTable: HostMountTable?

    /// Writes the host's mount table to the kernel when it changed (paths are read
    /// under the mounts it lists: "Host paths" in portcullis_abi.h). Returns whether
    /// it changed.
    @discardableResult
    public func refreshHostMounts() throws(BPFError) -> Bool {
        guard let table = HostMountTable.current() else {
            throw BPFError("reading /proc/self/mountinfo", code: errno)
        }
        guard table != hostMountTable else { return false }
        try table.write(to: hostMounts, filter: hostFilter, replacing: hostMountTable)
        hostMountTable = table
        return true
    }

    /// A hash of the embedded object: tells this build's programs from another's.
    static let buildHash: UInt64 = EmbeddedBPF.object.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }

    static func pinnedBuild(_ pins: Pins) throws(BPFError) -> UInt64 {
        let fd = bpf_obj_get(pins.map("pc_meta"))
        guard fd >= 0 else { throw BPFError("opening \(pins.map("pc_meta"))") }
        defer { close(fd) }
        var key: UInt32 = 0
        var value: UInt64 = 0
        try check("reading pc_meta", bpf_map_lookup_elem(fd, &key, &value))
        return value
    }

    /// Removes every pin (links first): the programs detach and enforcement ends.
    /// The kernel releases unpinned links asynchronously (6.12 does it a moment
    /// later), so this waits, up to `timeout` seconds, until the programs are gone.
    /// Returns what was removed, and the ids of programs still loaded at the end.
    @discardableResult
    public static func disarm(pins: Pins = Pins(), timeout: Double = 10) -> (removed: [String], stillLoaded: [UInt32]) {
        let programs = Pins.entries(pins.root).flatMap { abi in
            Pins.entries("\(pins.root)/\(abi)/links").compactMap { programID(linkPin: "\(pins.root)/\(abi)/links/\($0)") }
        }
        let removed = pins.remove(keepingCurrentABI: false)
        var loaded = programs
        if Pins.exists(pins.root) { return (removed, loaded) }  // refused (locked): nothing to wait for
        var waited = 0.0
        while true {
            loaded = loaded.filter { id in
                let fd = bpf_prog_get_fd_by_id(id)
                if fd >= 0 { close(fd) }
                return fd >= 0
            }
            if loaded.isEmpty || waited >= timeout { break }
            usleep(50_000)
            waited += 0.05
        }
        return (removed, loaded)
    }

    /// Whether anything is still pinned under the root.
    public static func anythingPinned(_ pins: Pins) -> Bool { Pins.exists(pins.root) }

    /// The id of the program behind a pinned link.
    static func programID(linkPin path: String) -> UInt32? {
        let fd = bpf_obj_get(path)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        guard bpf_obj_get_info_by_fd(fd, &info, &length) == 0 else { return nil }
        return info.prog_id
    }

    /// Removes the pins of other ABI versions, once this one enforces.
    @discardableResult
    public func removeOtherABIs() -> [String] { pins.remove(keepingCurrentABI: true) }

    /// Makes `image` the policy in force: a fresh map holds it, frozen, and one
    /// write to the active slot swaps it in. Programs see the old image or the new one.
    ///
    /// When the new image has subject conditions other than the image in force
    /// (`subjectViews`, nil: unknown), it gets a new subject epoch, and before
    /// the swap the new map waits in the pending slot while every task's
    /// subjects are computed for it (the seeding iterator; an exec meanwhile
    /// computes them for both images), so a running process is the same
    /// subjects on both sides of the swap. Processes older than the programs
    /// get their records first (TaskSeeder). With the same conditions it gets
    /// the epoch in force, whose views hold for it: it is swapped in at once
    /// (staging waits for an RCU grace period, seeding visits every task).
    /// `beforeFill` runs once the new map exists, before it is filled; `beforeSwap`
    /// once it is filled, frozen and seeded, just before the swap (fault tests stop there).
    @discardableResult
    public func install(
        _ image: PolicyImage, subjectViews: SubjectViews? = nil, beforeFill: () -> Void = {},
        beforeSwap: () -> Void = {}
    ) throws(BPFError) -> TaskViews {
        if epochs == nil { epochs = SubjectEpochs(active: installedSubjectEpoch() ?? 0) }
        let (epoch, sameViews) = epochs!.epoch(for: subjectViews)
        let map = try ImageMap(image, subjectEpoch: epoch, beforeFill: beforeFill)
        var kept = false
        defer { if !kept { close(map.fd) } }
        // What either image needs, while either may be in force (tasks keep records from
        // here on if the new one needs them); the new image's alone once it is.
        let needs = ImageSummary(of: image)
        try check("summarizing the new image", ImageSummary.read(from: summary).union(needs).write(to: summary))
        // Without subject conditions no task needs a view (pc_task_compute does nothing),
        // and with the same ones the views in force hold: nothing is staged or seeded.
        // A later image with other conditions seeds then.
        let seeding = image.hasSubjects && !sameViews
        var pending = UInt32(PC_IMAGE_PENDING)
        var fd = map.fd
        if seeding {
            try check("staging the policy image", bpf_map_update_elem(imageSlot, &pending, &fd, UInt64(BPF_ANY)))
        }
        do throws(BPFError) {
            // The views for the pending image, and records for the processes that have none.
            if seeding {
                let table = hostMountTable
                try TaskSeeder.seed(linkPath: pins.link("pc_seed"), tasksFD: tasks) { table?.showsElsewhere($0) ?? false }
            }
        } catch {
            bpf_map_delete_elem(imageSlot, &pending)
            throw error
        }
        beforeSwap()
        var slot = UInt32(PC_IMAGE_ACTIVE)
        let swapped = bpf_map_update_elem(imageSlot, &slot, &fd, UInt64(BPF_ANY))
        // The pending slot emptied: the one staged above, or one a daemon that stopped
        // between its staging and its swap left (execs would compute views for it).
        var staged: UInt32 = 0
        if seeding || bpf_map_lookup_elem(imageSlot, &pending, &staged) == 0 { bpf_map_delete_elem(imageSlot, &pending) }
        try check("installing the policy image", swapped)
        epochs!.installed(epoch, views: subjectViews)
        if let previous = activeImage { close(previous) }
        activeImage = map.fd
        kept = true
        // Failing here leaves a superset: slower hooks, the same decisions.
        _ = needs.write(to: summary)
        // Views the pending pass could not write (a task that appeared meanwhile) are
        // computed now. With the views kept, the seeding runs now, after the swap: the
        // processes that still have no record get one, and their views.
        if seeding {
            try TaskSeeder.runIterator(linkPath: pins.link("pc_seed"))
        } else if image.hasSubjects {
            let table = hostMountTable
            try TaskSeeder.seed(linkPath: pins.link("pc_seed"), tasksFD: tasks) { table?.showsElsewhere($0) ?? false }
        }
        return seeding ? .computed : image.hasSubjects ? .kept : .none
    }

    /// The subject epoch of the image in force, if any.
    func installedSubjectEpoch() -> UInt64? {
        (try? ActiveImage.words(slotFD: imageSlot, lineLimit: 2)).flatMap(ActiveImage.subjectEpoch)
    }

    /// The generation of the image in force, if any (after a restart: the last daemon's).
    public func installedGeneration() -> UInt64? {
        (try? ActiveImage.words(slotFD: imageSlot, lineLimit: 1)).flatMap(ActiveImage.generation)
    }

    /// The kernel's ids of the attached programs, by name, read from the link pins.
    public func programIDs() throws(BPFError) -> [String: UInt32] {
        var ids: [String: UInt32] = [:]
        for name in Self.programs {
            guard let id = Self.programID(linkPin: pins.link(name)) else {
                throw BPFError("reading the link pinned at \(pins.link(name))")
            }
            ids[name] = id
        }
        return ids
    }

    /// Starts delivering decision events to `handler` on `queue`; keep the reader alive.
    public func readEvents(
        on queue: DispatchQueue, handler: @escaping (DecisionEvent) -> Void
    ) throws(BPFError) -> EventReader {
        try EventReader(mapFD: events, queue: queue, handler: handler)
    }

    /// The kernel's counters (enum pc_stat), summed over CPUs.
    public func statistics() throws(BPFError) -> EventStatistics {
        try EventStatistics.read(statsFD: stats)
    }
}

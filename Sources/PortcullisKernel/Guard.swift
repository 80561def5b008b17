import CBPF
import CPortcullisABI
import Glibc

/// Tamper protection from userspace ("Tamper protection" in portcullis_abi.h): what
/// the kernel's guard holds, locking, and putting back pins and the generation in
/// force when something removed or replaced them.
extension Enforcer {
    /// The kernel's struct pc_guard, as far as status needs it.
    public struct GuardState: Sendable, Equatable {
        /// The guardian's process id; 0 when the post is vacant.
        public var guardian: Int32
        public var locked: Bool
        /// How many times the post was claimed since the maps were created.
        public var claims: UInt64
    }

    private var guardFD: Int32 { maps["pc_guard"]! }

    public func guardState() throws(BPFError) -> GuardState {
        let value = try readGuard()
        return GuardState(
            guardian: Int32(bitPattern: value.tgid), locked: value.flags & PC_GUARD_LOCKED != 0, claims: value.claims)
    }

    private func readGuard() throws(BPFError) -> pc_guard {
        var key: UInt32 = 0
        var value = pc_guard()
        try check("reading pc_guard", bpf_map_lookup_elem(guardFD, &key, &value))
        return value
    }

    /// Locks enforcement until reboot: from now on the guardian post is never vacant,
    /// only PID 1 signals this process, the pins and their directories cannot be
    /// removed or renamed, and neither their bpffs nor a mount above it can be
    /// unmounted. Nothing undoes it but a reboot.
    public func lock() throws(BPFError) {
        var value = try readGuard()
        guard let text = HostMountTable.read("/proc/self/mountinfo") else {
            throw BPFError("reading /proc/self/mountinfo", code: errno)
        }
        let chain = HostMountTable.chain(holding: pins.root, in: text)
        guard let holder = chain.first else { throw BPFError("finding the mount that holds \(pins.root)", code: ENOENT) }
        value.pin_dev = holder.device
        let directories = pins.directories
        withUnsafeMutableBytes(of: &value.pin_dirs) { raw in
            let inodes = raw.bindMemory(to: UInt64.self)
            for (i, dir) in directories.prefix(Int(PC_GUARD_PIN_DIRS)).enumerated() {
                var st = stat()
                inodes[i] = stat(dir, &st) == 0 ? UInt64(st.st_ino) : 0
            }
        }
        let ids = chain.prefix(Int(PC_GUARD_MOUNTS)).map { UInt64($0.id) }
        withUnsafeMutableBytes(of: &value.mounts) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            for (i, id) in ids.enumerated() { slots[i] = id }
        }
        value.mount_count = UInt32(ids.count)
        value.flags |= PC_GUARD_LOCKED
        var key: UInt32 = 0
        try check("locking (writing pc_guard)", bpf_map_update_elem(guardFD, &key, &value, UInt64(BPF_ANY)))
    }

    /// Locked, at shutdown: PID 1 may send the daemon any signal from now on
    /// (before, only SIGTERM), so a daemon slow to exit is not left behind.
    public func allowShutdownSignals() throws(BPFError) {
        var value = try readGuard()
        value.flags |= PC_GUARD_STOPPING
        var key: UInt32 = 0
        try check("allowing PID 1's signals (writing pc_guard)", bpf_map_update_elem(guardFD, &key, &value, UInt64(BPF_ANY)))
    }

    /// Puts back what someone removed or replaced: the pin directories, every pin of a
    /// map or link (from the descriptors this Enforcer holds), and the generation this
    /// Enforcer installed last. Returns what was found, one line each; empty when all is well.
    public func repair() -> [String] {
        var found: [String] = []
        for dir in pins.directories where !Pins.exists(dir) {
            found.append("\(dir) was missing")
        }
        if !found.isEmpty { try? pins.createDirectories() }
        for (name, fd) in maps.sorted(by: { $0.key < $1.key }) {
            if let problem = restorePin(pins.map(name), fd: fd, id: Self.mapID) { found.append(problem) }
        }
        for (name, fd) in links.sorted(by: { $0.key < $1.key }) {
            if let problem = restorePin(pins.link(name), fd: fd, id: Self.linkID) { found.append(problem) }
        }
        found += repairGeneration()
        return found
    }

    /// The policy slot when it does not hold the image this Enforcer installed last:
    /// put back. Returns what was found (one line), or nothing.
    public func repairGeneration() -> [String] {
        guard let image = activeImage, let ours = Self.mapID(image) else { return [] }
        var slot = UInt32(PC_IMAGE_ACTIVE)
        var inForce: UInt32 = 0
        let present = bpf_map_lookup_elem(imageSlot, &slot, &inForce) == 0 && inForce != 0
        guard !present || inForce != ours else { return [] }
        var fd = image
        let rc = bpf_map_update_elem(imageSlot, &slot, &fd, UInt64(BPF_ANY))
        return [
            (present ? "the generation in force was replaced (image map \(inForce))" : "no generation was in force")
                + (rc == 0
                    ? ": ours put back (image map \(ours))"
                    : ": putting ours back failed (\(BPFError("", code: -rc).description))")
        ]
    }

    /// The pin at `path` when it is not the object behind `fd`: pinned again. Returns what was found.
    private func restorePin(_ path: String, fd: Int32, id: (Int32) -> UInt32?) -> String? {
        let pinned = bpf_obj_get(path)
        let missing = pinned < 0 && errno == ENOENT
        var found = "\(path) was missing"
        if pinned >= 0 {
            let theirs = id(pinned)
            close(pinned)
            guard let theirs, theirs != id(fd) else { return nil }
            found = "\(path) held another object (id \(theirs))"
            unlink(path)
        } else if !missing {
            found = "\(path) was not our pin"
            unlink(path)
            rmdir(path)
        }
        let rc = bpf_obj_pin(fd, path)
        return found + (rc == 0 ? ": pinned again" : ": pinning again failed (\(BPFError("", code: -rc).description))")
    }

    static func mapID(_ fd: Int32) -> UInt32? {
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        return bpf_obj_get_info_by_fd(fd, &info, &length) == 0 ? info.id : nil
    }

    static func linkID(_ fd: Int32) -> UInt32? {
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        return bpf_obj_get_info_by_fd(fd, &info, &length) == 0 ? info.id : nil
    }
}

/// The exec rules' file identities as the kernel probes them: an open-addressing
/// table in which every identity sits at most PC_INODE_PROBES slots after its
/// hash slot (the capacity doubles until that holds).
struct InodeTable {
    var capacity: Int
    var slots: [(identity: FileIdentity, list: UInt32)?]

    /// `lists` maps each identity to the offset of its accept list.
    init(_ lists: [FileIdentity: UInt32]) {
        var capacity = 8
        while capacity < lists.count * 2 { capacity *= 2 }
        let ordered = lists.sorted { ($0.key.device, $0.key.inode) < ($1.key.device, $1.key.inode) }
        while true {
            if let slots = Self.place(ordered, capacity: capacity) {
                self.capacity = capacity
                self.slots = slots
                return
            }
            capacity *= 2
        }
    }

    static func slot(of identity: FileIdentity, capacity: Int) -> Int {
        Int(ABI.Inode.hash(dev: identity.device, ino: identity.inode)) & (capacity - 1)
    }

    static func place(
        _ entries: [(key: FileIdentity, value: UInt32)], capacity: Int
    ) -> [(identity: FileIdentity, list: UInt32)?]? {
        var slots = [(identity: FileIdentity, list: UInt32)?](repeating: nil, count: capacity)
        for (identity, list) in entries {
            let home = slot(of: identity, capacity: capacity)
            guard let free = (0..<ABI.Inode.probes).first(where: { slots[(home + $0) & (capacity - 1)] == nil })
            else { return nil }
            slots[(home + free) & (capacity - 1)] = (identity, list)
        }
        return slots
    }

    var words: [UInt32] {
        slots.flatMap { slot -> [UInt32] in
            guard let (identity, list) = slot else { return [0, 0, 0, 0] }
            return [
                identity.device, UInt32(truncatingIfNeeded: identity.inode),
                UInt32(truncatingIfNeeded: identity.inode >> 32), list,
            ]
        }
    }
}

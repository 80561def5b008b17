/// An open-addressing table laid out as the kernel probes it (pc_inodes.h,
/// pc_content.h): a power-of-two number of slots, each entry at most `probes`
/// slots after its home slot; the capacity starts at 8 and at twice the
/// entries, and doubles until every entry fits. Entries are placed in the
/// order given, so the same entries give the same table.
struct OpenAddressing<Entry> {
    private(set) var capacity: Int
    private(set) var slots: [Entry?]

    /// `hash` gives an entry's hash; its home slot is that hash modulo the capacity.
    init(_ entries: [Entry], probes: Int, hash: (Entry) -> UInt32) {
        var capacity = 8
        while capacity < entries.count * 2 { capacity *= 2 }
        while true {
            if let slots = Self.place(entries, capacity: capacity, probes: probes, hash: hash) {
                self.capacity = capacity
                self.slots = slots
                return
            }
            capacity *= 2
        }
    }

    static func place(_ entries: [Entry], capacity: Int, probes: Int, hash: (Entry) -> UInt32) -> [Entry?]? {
        var slots = [Entry?](repeating: nil, count: capacity)
        for entry in entries {
            let home = Int(hash(entry)) & (capacity - 1)
            guard let free = (0..<probes).first(where: { slots[(home + $0) & (capacity - 1)] == nil }) else {
                return nil
            }
            slots[(home + free) & (capacity - 1)] = entry
        }
        return slots
    }
}

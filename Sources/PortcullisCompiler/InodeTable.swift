/// The exec rules' file identities as the kernel probes them (pc_inodes.h): an
/// open-addressing table of PC_INODE_ENTRY_WORDS-word entries.
struct InodeTable {
    let table: OpenAddressing<(identity: FileIdentity, list: UInt32)>
    var capacity: Int { table.capacity }

    /// `lists` maps each identity to the offset of its accept list.
    init(_ lists: [FileIdentity: UInt32]) {
        let ordered = lists.sorted { ($0.key.device, $0.key.inode) < ($1.key.device, $1.key.inode) }
        table = OpenAddressing(ordered.map { (identity: $0.key, list: $0.value) }, probes: ABI.Inode.probes) {
            ABI.Inode.hash(dev: $0.identity.device, ino: $0.identity.inode)
        }
    }

    var words: [UInt32] {
        table.slots.flatMap { slot -> [UInt32] in
            guard let (identity, list) = slot else { return [0, 0, 0, 0] }
            return [
                identity.device, UInt32(truncatingIfNeeded: identity.inode),
                UInt32(truncatingIfNeeded: identity.inode >> 32), list,
            ]
        }
    }
}

/// The uid conditions of a generation's subjects, as the kernel reads them:
/// buckets of one line each, uid u in bucket `pc_uid_hash(u) & (buckets - 1)`,
/// at most PC_UID_BUCKET_SLOTS uids a bucket (the bucket count doubles until
/// that holds), so a decision reads one line.
struct UIDTable {
    var buckets: [[(uid: UInt32, set: UInt32)]]

    /// `sets` maps each uid to the offset of the set of subjects naming it.
    init(_ sets: [UInt32: UInt32]) {
        var count = 1
        while count * ABI.UID.bucketSlots < sets.count * 2 { count *= 2 }
        while true {
            var buckets = [[(uid: UInt32, set: UInt32)]](repeating: [], count: count)
            for (uid, set) in sets.sorted(by: { $0.key < $1.key }) {
                buckets[Int(ABI.UID.hash(uid)) & (count - 1)].append((uid, set))
            }
            if buckets.allSatisfy({ $0.count <= ABI.UID.bucketSlots }) {
                self.buckets = buckets
                return
            }
            count *= 2
        }
    }

    /// The buckets' lines: [uid + 1, set offset] pairs, 0 for an empty slot.
    var words: [UInt32] {
        buckets.flatMap { bucket in
            (0..<ABI.UID.bucketSlots).flatMap { i in i < bucket.count ? [bucket[i].uid + 1, bucket[i].set] : [0, 0] }
        }
    }
}

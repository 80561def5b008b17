import CBPF
import CPortcullisABI
import Glibc

/// Reading the image in force: slot PC_IMAGE_ACTIVE of pc_image names an inner map
/// by id; its lines are the generation's words.
enum ActiveImage {
    /// The first `lineLimit` lines (all when nil) of the image in the active slot of
    /// the map-in-map `slotFD`; empty when no generation is in force.
    static func words(slotFD: Int32, lineLimit: UInt32? = nil) throws(BPFError) -> [UInt32] {
        var key = UInt32(PC_IMAGE_ACTIVE)
        var innerID: UInt32 = 0
        guard bpf_map_lookup_elem(slotFD, &key, &innerID) == 0, innerID != 0 else { return [] }
        var opts = bpf_get_fd_by_id_opts()
        // Up to the last field: libbpf refuses non-zero bytes past it, and Swift leaves padding undefined.
        opts.sz = MemoryLayout<bpf_get_fd_by_id_opts>.offset(of: \.open_flags)! + MemoryLayout<UInt32>.size
        opts.open_flags = UInt32(BPF_F_RDONLY)  // a writable one is the daemon's alone (tamper protection)
        let inner = bpf_map_get_fd_by_id_opts(innerID, &opts)
        guard inner >= 0 else { throw BPFError("opening the policy image map (id \(innerID))") }
        defer { close(inner) }
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        try check("reading the policy image map's size", bpf_obj_get_info_by_fd(inner, &info, &length))
        let lines = min(info.max_entries, lineLimit ?? info.max_entries)
        let lineWords = Int(PC_LINE_WORDS)
        var words = [UInt32](repeating: 0, count: Int(lines) * lineWords)
        for line in 0..<lines {
            var index = line
            let rc = words.withUnsafeMutableBufferPointer { buffer in
                bpf_map_lookup_elem(inner, &index, buffer.baseAddress! + Int(line) * lineWords)
            }
            try check("reading line \(line) of the policy image", rc)
        }
        return words
    }

    /// The subject epoch in `words`' header, nil when there is no such word.
    static func subjectEpoch(_ words: [UInt32]) -> UInt64? {
        let (low, high) = (Int(PC_HDR_SUBJECT_EPOCH_LO.rawValue), Int(PC_HDR_SUBJECT_EPOCH_HI.rawValue))
        guard words.count > high else { return nil }
        return UInt64(words[high]) << 32 | UInt64(words[low])
    }

    /// The generation number in `words`' header, nil when there is no header.
    static func generation(_ words: [UInt32]) -> UInt64? {
        guard words.count > Int(PC_HDR_GEN_HI.rawValue) else { return nil }
        return UInt64(words[Int(PC_HDR_GEN_HI.rawValue)]) << 32 | UInt64(words[Int(PC_HDR_GEN_LO.rawValue)])
    }
}


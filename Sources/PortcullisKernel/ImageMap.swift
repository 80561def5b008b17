import CBPF
import CPortcullisABI
import Glibc
import PortcullisCompiler

/// A fresh BPF array map holding one PolicyImage, one 64-byte line per entry,
/// frozen once filled so nothing can change it while the kernel reads it, and
/// read-only to programs (tamper protection: no other program may write it either).
struct ImageMap {
    let fd: Int32

    /// `beforeFill` runs once the map exists, empty, before its lines are written;
    /// `subjectEpoch` replaces the image's (the compiler leaves 0) in its header.
    init(_ image: PolicyImage, subjectEpoch: UInt64, beforeFill: () -> Void = {}) throws(BPFError) {
        let lines = UInt32(image.lineCount)
        let lineBytes = UInt32(PolicyImage.lineWords * MemoryLayout<UInt32>.size)
        var opts = bpf_map_create_opts()
        opts.sz = MemoryLayout<bpf_map_create_opts>.size
        opts.map_flags = UInt32(BPF_F_INNER_MAP) | UInt32(BPF_F_RDONLY_PROG)  // no program may write it
        let fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pc_image_gen", 4, lineBytes, lines, &opts)
        guard fd >= 0 else { throw BPFError("creating a map of \(lines) image lines", code: -fd) }
        do throws(BPFError) {
            beforeFill()
            var keys = (0..<lines).map { $0 }
            var count = lines
            let rc = image.words.withUnsafeBytes { values in
                bpf_map_update_batch(fd, &keys, values.baseAddress, &count, nil)
            }
            try check("filling the policy image map", rc)
            let (low, high) = (Int(PC_HDR_SUBJECT_EPOCH_LO.rawValue), Int(PC_HDR_SUBJECT_EPOCH_HI.rawValue))
            let headerLine = low / PolicyImage.lineWords
            var line = Array(image.words[headerLine * PolicyImage.lineWords..<(headerLine + 1) * PolicyImage.lineWords])
            line[low % PolicyImage.lineWords] = UInt32(truncatingIfNeeded: subjectEpoch)
            line[high % PolicyImage.lineWords] = UInt32(truncatingIfNeeded: subjectEpoch >> 32)
            var key = UInt32(headerLine)
            try check("writing the subject epoch", bpf_map_update_elem(fd, &key, &line, UInt64(BPF_ANY)))
            try check("freezing the policy image map", bpf_map_freeze(fd))
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }
}

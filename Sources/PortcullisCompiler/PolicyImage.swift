import CPortcullisABI

/// One compiled generation of policy: the flat array of 32-bit words the BPF
/// programs read (layout: bpf/abi/include/portcullis_abi.h). A plain value with
/// a deterministic encoding: the same policies give the same words.
public struct PolicyImage: Sendable, Equatable {
    public private(set) var words: [UInt32]

    init(words: [UInt32]) {
        // The image is kept for as long as it is in force: it is copied into an
        // array of exactly its size, not grown from the writer's, whose capacity
        // doubled as sections were appended (up to twice the words, kept idle).
        let extra = (ABI.lineWords - words.count % ABI.lineWords) % ABI.lineWords
        var padded: [UInt32] = []
        padded.reserveCapacity(words.count + extra)
        padded.append(contentsOf: words)
        padded.append(contentsOf: repeatElement(0, count: extra))
        self.words = padded
    }

    /// Words per map entry (one 64-byte line).
    public static let lineWords = ABI.lineWords
    public var lineCount: Int { words.count / ABI.lineWords }

    /// Whether some subject has a condition (pc_has_subjects): only then do tasks need
    /// records and views computed for this image.
    public var hasSubjects: Bool {
        [ABI.Header.subjectExeDFA, ABI.Header.subjectArgsDFA, ABI.Header.subjectCgroupDFA].contains { self[$0] != 0 }
    }

    /// Bit c for each capability c some rule names: a line of the capability table
    /// that is not all zeros (pc_capable_entry). The kernel's fast path reads it (pc_summary).
    public var namedCapabilities: UInt64 {
        let caps = Int(self[ABI.Header.caps])
        guard caps != 0 else { return 0 }
        var bits: UInt64 = 0
        for cap in 0..<min(ABI.Cap.count, 64) {
            let line = caps + cap * ABI.lineWords
            if (line..<line + ABI.lineWords).contains(where: { self[$0] != 0 }) { bits |= 1 << UInt64(cap) }
        }
        return bits
    }

    /// Whether tasks must keep records (pc_tasks) while this image is in force: for
    /// subject conditions on texts (views) or exec rules with argument conditions
    /// (what the exec hook staged for sched_process_exec). uid conditions need none.
    public var needsTaskRecords: Bool {
        hasSubjects || self[ABI.Header.execConditions] & UInt32(PC_EXEC_HAS_ARGS) != 0
    }

    /// Whether some subject has a cgroup (or unit) condition: only then may a task's
    /// view change without an exec, when it moves (pc_subjects_refresh).
    public var hasCgroupSubjects: Bool { self[ABI.Header.subjectCgroupDFA] != 0 }

    /// Whether some exec rule names content (a content table): the exec and mapping
    /// hooks then hash the files they decide on (pc_summary.content).
    public var namesContent: Bool { self[ABI.Header.execDigests] != 0 }

    /// The generation number the image carries.
    public var generation: UInt64 {
        UInt64(words[ABI.Header.generationHigh]) << 32 | UInt64(words[ABI.Header.generationLow])
    }

    /// The subject epoch the image carries (0 as compiled: the loader sets it).
    public var subjectEpoch: UInt64 {
        UInt64(self[ABI.Header.subjectEpochHigh]) << 32 | UInt64(self[ABI.Header.subjectEpochLow])
    }

    /// The same tables under generation number `generation`.
    public func withGeneration(_ generation: UInt64) -> PolicyImage {
        var image = self
        image.words[ABI.Header.generationLow] = UInt32(truncatingIfNeeded: generation)
        image.words[ABI.Header.generationHigh] = UInt32(truncatingIfNeeded: generation >> 32)
        return image
    }

    /// The image's bytes with its generation number read as 0, in order, in
    /// pieces: what two images with the same tables have in common whatever
    /// their generation numbers (`ImageFingerprint` digests it).
    public func withTableBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        let zero: UInt32 = 0
        words.withUnsafeBytes { all in
            var start = 0
            for index in [ABI.Header.generationLow, ABI.Header.generationHigh].sorted() where index < words.count {
                body(UnsafeRawBufferPointer(rebasing: all[start * 4..<index * 4]))
                withUnsafeBytes(of: zero) { body($0) }
                start = index + 1
            }
            body(UnsafeRawBufferPointer(rebasing: all[(start * 4)..<all.count]))
        }
    }

    /// Word `index`, or 0 past the end (as the kernel reads it).
    subscript(index: Int) -> UInt32 { index >= 0 && index < words.count ? words[index] : 0 }
}

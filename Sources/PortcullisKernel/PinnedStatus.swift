import CBPF
import CPortcullisABI
import Glibc
import PortcullisCompiler

/// What the pinned programs and maps say, read without loading or attaching
/// anything: `portcullis status` works whether a daemon runs or not.
public struct PinnedStatus: Sendable {
    /// The ids of the attached programs, by name, for the link pins present.
    public var programIDs: [String: UInt32]
    /// The generation in the policy slot, nil when none was ever installed.
    public var generation: UInt64?
    /// The number of rules in that generation's rule table.
    public var ruleCount: Int
    /// The key of each rule of that generation, by rule index.
    public var ruleKeys: [RuleKey]
    /// Decisions per rule key, summed over CPUs.
    public var hits: [RuleKey: UInt64]
    public var statistics: EventStatistics

    public init(
        programIDs: [String: UInt32], generation: UInt64?, ruleCount: Int, ruleKeys: [RuleKey],
        hits: [RuleKey: UInt64], statistics: EventStatistics
    ) {
        self.programIDs = programIDs
        self.generation = generation
        self.ruleCount = ruleCount
        self.ruleKeys = ruleKeys
        self.hits = hits
        self.statistics = statistics
    }

    /// Reads the pins of this ABI version; throws when nothing is pinned there.
    public static func read(pins: Pins = Pins()) throws(BPFError) -> PinnedStatus {
        guard Pins.exists(pins.map("pc_image")) else {
            throw BPFError("nothing is pinned in \(pins.directory): portcullis is not enforcing", code: ENOENT)
        }
        var programIDs: [String: UInt32] = [:]
        for name in Enforcer.programs {
            if let id = Enforcer.programID(linkPin: pins.link(name)) { programIDs[name] = id }
        }
        let image = try PinnedMap(pins.map("pc_image"))
        let words = try ActiveImage.words(slotFD: image.fd)
        withExtendedLifetime(image) {}
        let header = { (word: pc_header_word) in words.indices.contains(Int(word.rawValue)) ? words[Int(word.rawValue)] : 0 }
        let generation = ActiveImage.generation(words)
        let ruleCount = Int(header(PC_HDR_RULE_COUNT))
        let table = Int(header(PC_HDR_RULES))
        let ruleWords = Int(PC_RULE_WORDS.rawValue)
        var keys: [RuleKey] = []
        for rule in 0..<ruleCount {
            let at = table + rule * ruleWords
            guard at + ruleWords <= words.count else { break }
            let low = UInt64(words[at + Int(PC_RULE_KEY_LO.rawValue)])
            let high = UInt64(words[at + Int(PC_RULE_KEY_HI.rawValue)])
            keys.append(RuleKey(rawValue: high << 32 | low))
        }
        return PinnedStatus(
            programIDs: programIDs, generation: generation, ruleCount: ruleCount, ruleKeys: keys,
            hits: try Self.hits(PinnedMap(pins.map("pc_hits"))),
            statistics: try EventStatistics.read(PinnedMap(pins.map("pc_stats"))))
    }

    /// Every entry of pc_hits, summed over CPUs.
    static func hits(_ map: PinnedMap) throws(BPFError) -> [RuleKey: UInt64] {
        let cpus = max(Int(libbpf_num_possible_cpus()), 1)
        var hits: [RuleKey: UInt64] = [:]
        var key: UInt64 = 0
        var next: UInt64 = 0
        var first = true
        defer { withExtendedLifetime(map) {} }
        while true {
            let rc = first ? bpf_map_get_next_key(map.fd, nil, &next) : bpf_map_get_next_key(map.fd, &key, &next)
            if rc == -ENOENT { break }
            try check("listing pc_hits", rc)
            first = false
            key = next
            var values = [UInt64](repeating: 0, count: cpus)
            if bpf_map_lookup_elem(map.fd, &key, &values) == 0 {
                hits[RuleKey(rawValue: key)] = values.reduce(0, &+)
            }
        }
        return hits
    }
}

/// A pinned map, opened read-only for as long as this value lives (tamper
/// protection gives a writable descriptor to the daemon only).
final class PinnedMap {
    let fd: Int32

    init(_ path: String) throws(BPFError) {
        var opts = bpf_obj_get_opts()
        // Up to the last field: libbpf refuses non-zero bytes past it, and Swift leaves padding undefined.
        opts.sz = MemoryLayout<bpf_obj_get_opts>.offset(of: \.file_flags)! + MemoryLayout<UInt32>.size
        opts.file_flags = UInt32(BPF_F_RDONLY)
        fd = bpf_obj_get_opts(path, &opts)
        guard fd >= 0 else { throw BPFError("opening the pinned map \(path)") }
    }

    deinit { close(fd) }
}

extension EventStatistics {
    static func read(_ map: PinnedMap) throws(BPFError) -> EventStatistics {
        defer { withExtendedLifetime(map) {} }
        return try read(statsFD: map.fd)
    }

    /// The kernel's counters (enum pc_stat) in `pc_stats`, summed over CPUs.
    static func read(statsFD: Int32) throws(BPFError) -> EventStatistics {
        let cpus = Int(libbpf_num_possible_cpus())
        var totals = [UInt64](repeating: 0, count: Int(PC_STAT_COUNT.rawValue))
        for stat in totals.indices {
            var key = UInt32(stat)
            var values = [UInt64](repeating: 0, count: max(cpus, 1))
            try check("reading pc_stats", bpf_map_lookup_elem(statsFD, &key, &values))
            totals[stat] = values.reduce(0, &+)
        }
        return EventStatistics(
            sent: totals[Int(PC_STAT_EVENTS.rawValue)],
            droppedByRateLimit: totals[Int(PC_STAT_DROPPED_RATE_LIMIT.rawValue)],
            droppedRingFull: totals[Int(PC_STAT_DROPPED_RING_FULL.rawValue)])
    }
}

/// The key a rule's decisions are counted under in the kernel (pc_hits): its
/// policy's name and its place among that policy's compiled rules, hashed to
/// 64 bits. It stays the same across generations while the rule keeps its
/// place, so counters survive recompiles caused by other files.
public struct RuleKey: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// FNV-1a over the policy name, a NUL, and the place (little-endian).
    public init(policy: String, place: Int) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in policy.utf8 { mix(byte) }
        mix(0)
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: UInt64(place) >> UInt64(shift))) }
        rawValue = hash
    }

    /// The key of each rule, in order: rules of one policy are numbered 0, 1, … as they come.
    public static func keys(of rules: [CompiledRule]) -> [RuleKey] {
        var places: [String: Int] = [:]
        return rules.indices.map { i in  // by index: a rule's record is not copied for its policy's name
            let policy = rules[i].policy
            let place = places[policy, default: 0]
            places[policy] = place + 1
            return RuleKey(policy: policy, place: place)
        }
    }

    /// 16 hex digits.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

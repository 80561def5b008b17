import PortcullisPolicy

/// The exec rules' content table as the kernel probes it (pc_content.h, struct
/// pc_digest_entry): an open-addressing table of one line per slot.
struct ContentTable {
    struct Entry {
        var digest: ContentDigest
        /// Offset of the accept list of the rules this content matches, 0: none.
        var rules: UInt32
        /// Offset of the set of content conditions it meets, 0: none.
        var conditions: UInt32
    }

    let table: OpenAddressing<Entry>
    var capacity: Int { table.capacity }

    init(_ entries: [Entry]) {
        table = OpenAddressing(entries.sorted { $0.digest < $1.digest }, probes: ABI.Digest.probes) {
            ABI.Digest.hash(firstWord: Self.words(of: $0.digest)[0])
        }
    }

    /// The digest as the kernel compares it: eight little-endian words.
    static func words(of digest: ContentDigest) -> [UInt32] {
        stride(from: 0, to: ABI.Digest.bytes, by: 4).map { i in
            digest.bytes[i..<i + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    var words: [UInt32] {
        table.slots.flatMap { slot -> [UInt32] in
            var line = [UInt32](repeating: 0, count: ABI.lineWords)
            guard let entry = slot else { return line }
            line.replaceSubrange(0..<ABI.Digest.bytes / 4, with: Self.words(of: entry.digest))
            line[ABI.Digest.rules] = entry.rules
            line[ABI.Digest.content] = entry.conditions
            line[ABI.Digest.used] = 1
            return line
        }
    }
}

extension ImagePlan {
    /// The content table: for each digest an exec rule names (`sha256:`), or that the
    /// file at a literal path of a deny or audit rule has (`digest`), the rules it
    /// matches and the content conditions it meets; and the rules to apply when a
    /// file's digest cannot be had (those with a content condition and no path).
    func writeContent(into writer: inout ImageWriter, digest: (String) -> ContentDigest?) {
        var rulesByDigest: [ContentDigest: Set<Int>] = [:]
        var conditionsByDigest: [ContentDigest: SubjectSet] = [:]
        var unknown: [Int] = []
        for rule in rules {
            guard case .exec(let paths, let args, let content) = rule.rule.operation else { continue }
            if let condition = execConditions[rule.index]?.content {
                for d in contentConditions[condition] {
                    conditionsByDigest[d, default: SubjectSet()].insert(condition)
                    if paths.isEmpty { rulesByDigest[d, default: []].insert(rule.index) }
                }
                if paths.isEmpty && rule.action != .allow { unknown.append(rule.index) }
            } else if content.matchCopies && rule.action != .allow && args == nil {
                // Like its identity, the content of the file at a literal path is an alternative to the path.
                for literal in paths.compactMap(\.literalPath) {
                    guard let d = digest(literal) else { continue }
                    rulesByDigest[d, default: []].insert(rule.index)
                }
            }
        }
        guard !rulesByDigest.isEmpty || !conditionsByDigest.isEmpty else { return }
        let strength = { (i: Int) in (PolicyCompiler.kernelAction(rules[i].action), -i) }
        let list = { (writer: inout ImageWriter, ids: [Int]) -> UInt32 in
            let ordered = carvedOut(ids).sorted { strength($0) > strength($1) }
            return ordered.isEmpty ? 0 : writer.append([UInt32(ordered.count)] + ordered.map { UInt32($0) })
        }
        var entries: [ContentTable.Entry] = []
        for d in Set(rulesByDigest.keys).union(conditionsByDigest.keys).sorted() {
            let rules = list(&writer, Array(rulesByDigest[d] ?? []))
            let conditions = conditionsByDigest[d].map { writer.appendSets([$0]) } ?? 0
            entries.append(ContentTable.Entry(digest: d, rules: rules, conditions: conditions))
        }
        writer.setHeader(ABI.Header.execContentUnknown, list(&writer, unknown))
        let table = ContentTable(entries)
        writer.setHeader(ABI.Header.execDigests, writer.appendAligned(table.words))
        writer.setHeader(ABI.Header.execDigestMask, UInt32(table.capacity - 1))
    }
}

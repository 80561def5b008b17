/// A set of subject ids as the kernel stores it: a bitmap of PC_SUBJECT_WORDS words.
struct SubjectSet: Sendable, Hashable {
    private(set) var words = [UInt32](repeating: 0, count: ABI.Subject.words)

    init() {}

    init(_ ids: some Sequence<Int>) {
        for id in ids { insert(id) }
    }

    init(words: [UInt32]) { self.words = words }

    mutating func insert(_ id: Int) { words[id / 32] |= 1 << UInt32(id % 32) }

    func contains(_ id: Int) -> Bool { words[id / 32] & (1 << UInt32(id % 32)) != 0 }

    func intersection(_ other: SubjectSet) -> SubjectSet {
        SubjectSet(words: zip(words, other.words).map { $0 & $1 })
    }

    func union(_ other: SubjectSet) -> SubjectSet {
        SubjectSet(words: zip(words, other.words).map { $0 | $1 })
    }

    func subtracting(_ other: SubjectSet) -> SubjectSet {
        SubjectSet(words: zip(words, other.words).map { $0 & ~$1 })
    }

    /// Every subject id.
    static let every = SubjectSet(words: [UInt32](repeating: ~0, count: ABI.Subject.words))

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
    var ids: [Int] { (0..<ABI.Subject.max).filter(contains) }
}

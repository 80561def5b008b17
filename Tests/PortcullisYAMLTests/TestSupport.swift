import Foundation
import PortcullisYAML
import Testing

/// Parses text (as UTF-8 bytes).
func parse(_ text: String, file: String = "test.yaml", limits: YAMLReader.Limits = .init()) throws(YAMLError)
    -> [YAMLNode]
{
    try YAMLReader.documents(in: Array(text.utf8), file: file, limits: limits)
}

/// The error for input that must be rejected; records a test failure if it parses.
func parseError(
    _ bytes: [UInt8], file: String = "test.yaml", limits: YAMLReader.Limits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> YAMLError? {
    do {
        let documents = try YAMLReader.documents(in: bytes, file: file, limits: limits)
        Issue.record("expected an error, got \(documents.map(shape))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

func parseError(
    _ text: String, file: String = "test.yaml", limits: YAMLReader.Limits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> YAMLError? {
    parseError(Array(text.utf8), file: file, limits: limits, sourceLocation: sourceLocation)
}

/// The single document of a text that must parse.
func single(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> YAMLNode {
    let documents = try parse(text)
    return try #require(documents.count == 1 ? documents[0] : nil, sourceLocation: sourceLocation)
}

/// A compact rendering of a tree: plain scalars bare, "double", 'single',
/// |"literal", >"folded", tags as !<tag> prefixes, {k: v} and [a, b].
func shape(_ node: YAMLNode) -> String {
    let prefix = node.tag.map { "!<\($0)> " } ?? ""
    switch node.kind {
    case .scalar(let text, let style):
        let body =
            switch style {
            case .plain: text
            case .doubleQuoted: "\"\(text)\""
            case .singleQuoted: "'\(text)'"
            case .literal: "|\"\(text)\""
            case .folded: ">\"\(text)\""
            }
        return prefix + body
    case .sequence(let items):
        return prefix + "[" + items.map(shape).joined(separator: ", ") + "]"
    case .mapping(let pairs):
        return prefix + "{" + pairs.map { "\(shape($0.key)): \(shape($0.value))" }.joined(separator: ", ") + "}"
    }
}

/// Follows a path of mapping keys and sequence indexes.
func node(_ root: YAMLNode, _ path: Any..., sourceLocation: SourceLocation = #_sourceLocation) throws -> YAMLNode {
    var current = root
    for step in path {
        if let key = step as? String {
            current = try #require(current.child(key), "no key \(key)", sourceLocation: sourceLocation)
        } else if let index = step as? Int {
            let items = try #require(current.sequence, "not a sequence", sourceLocation: sourceLocation)
            current = try #require(index < items.count ? items[index] : nil, sourceLocation: sourceLocation)
        }
    }
    return current
}

func mark(_ line: Int, _ column: Int) -> SourceMark { SourceMark(line: line, column: column) }

/// The seed policies, verbatim copies kept in Tests/Fixtures/seed.
let seedDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/seed").path

func seedBytes(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    let path = seedDirectory + "/" + name
    let data = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)", sourceLocation: sourceLocation)
    return Array(data)
}

/// Deterministic PRNG (SplitMix64) so that the robustness tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import ArgumentParser
import FoundationEssentials

/// `--format` of check, compile, explain and doctor: lines of text, or one JSON object.
enum OutputFormat: String, ExpressibleByArgument { case text, json }

/// `value` as one line of JSON with sorted keys (what --format json prints).
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

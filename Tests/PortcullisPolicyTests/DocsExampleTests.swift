import Foundation
import PortcullisPolicy
import Testing

/// Every YAML example of docs/policy.md reads without errors.
@Suite struct DocsExampleTests {
    static func examples() throws -> [String] {
        let url = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/policy.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.components(separatedBy: "```yaml\n").dropFirst().map {
            $0.components(separatedBy: "```").first ?? ""
        }
    }

    @Test func everyExampleReadsWithoutErrors() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 12)
        for (i, example) in examples.enumerated() {
            let file = Fixtures.read(example, file: "docs/policy.md example \(i + 1)")
            #expect(file.isUsable, "\(file.diagnostics)")
            #expect(file.policies.count == 1)
        }
    }
}

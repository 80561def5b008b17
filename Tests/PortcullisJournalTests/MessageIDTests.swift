import Foundation
import PortcullisJournal
import Testing

@Suite struct MessageIDTests {
    @Test func idsAre32LowercaseHexDigits() {
        for id in MessageID.allCases {
            #expect(id.rawValue.count == 32, "\(id)")
            #expect(id.rawValue.allSatisfy { "0123456789abcdef".contains($0) }, "\(id)")
        }
    }

    /// Random ids (systemd-id128 new) are version-4 UUIDs: version nibble 4,
    /// variant bits 10. A hand-typed or mangled id would hardly be one.
    @Test func idsAreVersion4UUIDs() {
        for id in MessageID.allCases {
            let digits = Array(id.rawValue)
            #expect(digits.count == 32 && digits[12] == "4", "\(id)")
            #expect(digits.count == 32 && "89ab".contains(digits[16]), "\(id)")
        }
    }

    @Test func idsAreDistinct() {
        #expect(Set(MessageID.allCases.map(\.rawValue)).count == MessageID.allCases.count)
    }

    /// docs/journal.md is what admins read: every id must be there, and every
    /// field name the daemon uses.
    @Test func docsListEveryIDAndField() throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/journal.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for id in MessageID.allCases {
            #expect(text.contains("`\(id.rawValue)`"), "docs/journal.md lacks \(id)")
        }
        for name in FieldName.known {
            #expect(text.contains("`\(name.rawValue)`"), "docs/journal.md lacks \(name)")
        }
    }
}

import Foundation
import PortcullisPolicy

/// The repository's test fixtures (Tests/Fixtures).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func seed(_ name: String) throws -> PolicyFile {
        let url = root.appendingPathComponent("seed").appendingPathComponent(name)
        return PolicyReader.read([UInt8](try Data(contentsOf: url)), file: name)
    }

    static func read(_ text: String, file: String = "test.yaml") -> PolicyFile {
        PolicyReader.read(Array(text.utf8), file: file)
    }
}

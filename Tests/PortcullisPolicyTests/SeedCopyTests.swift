import Foundation
import Testing

/// The seed policies in Tests/Fixtures/seed are the users' files verbatim.
@Suite struct SeedCopyTests {
    @Test func fixturesMatchTheSharedSeedWhenPresent() throws {
        let shared = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/seed")
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.root.path + "/seed")
        #expect(names.count == 3)
        guard FileManager.default.fileExists(atPath: shared.path) else { return }
        for name in names {
            let ours = try Data(contentsOf: Fixtures.root.appendingPathComponent("seed/\(name)"))
            let theirs = try Data(contentsOf: shared.appendingPathComponent(name))
            #expect(ours == theirs, "\(name) differs from shared/seed")
        }
    }
}

import Foundation
import PortcullisJournal
import PortcullisKernel
import Testing

@testable import PortcullisDaemon

@Suite struct StartedEntryTests {
    @Test func aLoadSaysWhatTheVerifierCost() {
        let costs = [
            VerifierCost(program: "pc_exec", verifiedInstructions: 29_250, loadNanoseconds: 223_000_000),
            VerifierCost(program: "pc_capable", verifiedInstructions: 27_411, loadNanoseconds: 248_500_000),
        ]
        let entry = JournalEntry.started(
            directory: "/etc/policies.d", start: "attached", pins: "/sys/fs/bpf/portcullis/abi-6", inForce: 0,
            programIDs: ["pc_exec": 12, "pc_capable": 14], verifier: costs)
        #expect(entry[FieldName.verifiedInstructions] == "56661")
        #expect(entry[FieldName.loadMilliseconds] == "471")
        #expect(entry.message.contains("56661 instructions verified in 471 ms"))
        #expect(entry[FieldName.programsStart] == "attached")
    }

    @Test func adoptedProgramsCostNothingAndSayNothingOfIt() {
        let entry = JournalEntry.started(
            directory: "/etc/policies.d", start: "adopted", pins: "/sys/fs/bpf/portcullis/abi-6", inForce: 4,
            programIDs: ["pc_exec": 12])
        #expect(entry[FieldName.verifiedInstructions] == nil)
        #expect(entry[FieldName.loadMilliseconds] == nil)
        #expect(!entry.message.contains("verified"))
        #expect(entry[FieldName.generation] == "4")
    }
}

/// `portcullis --version`, the daemon's start entry and the Debian package name one version.
@Suite struct VersionTests {
    @Test func theStartEntryNamesTheVersion() {
        let entry = JournalEntry.started(
            directory: "/etc/policies.d", start: "adopted", pins: "/p", inForce: 1, programIDs: [:])
        #expect(entry[FieldName.version] == PortcullisVersion.current)
        #expect(entry.message.hasPrefix("started portcullis \(PortcullisVersion.current): "))
    }

    @Test func debianChangelogHasTheSameVersion() throws {
        let changelog = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("debian/changelog")
        let first = try String(contentsOf: changelog, encoding: .utf8).split(separator: "\n").first ?? ""
        #expect(first.hasPrefix("portcullis (\(PortcullisVersion.current)) "), "debian/changelog starts: \(first)")
    }
}

import Glibc
@testable import PortcullisDaemon
import PortcullisJournal
import PortcullisPolicy
import Testing

@Suite struct DaemonEntryTests {
    @Test func yamlErrorNamesFileLineAndColumn() throws {
        let file = PolicyReader.read(Array("kind: Policy\nspec: { rules: [\n".utf8), file: "/p/bad.yaml")
        let diagnostic = try #require(file.diagnostics.first)
        let entry = JournalEntry.diagnostic(diagnostic)
        #expect(entry.messageID == .policyFileError)
        #expect(entry.priority == .error)
        #expect(entry.message == diagnostic.description)
        #expect(entry[.policyFile] == "/p/bad.yaml")
        #expect(entry[.file] == "/p/bad.yaml")
        #expect(entry[.line] == String(diagnostic.line))
        #expect(entry[.column] == String(diagnostic.column))
        #expect(diagnostic.line > 0)
    }

    @Test func warningCarriesTheDocumentField() {
        let d = Diagnostic(.warning, file: "a.yaml", line: 8, column: 3, field: "spec.policyTypes", "network policy")
        let entry = JournalEntry.diagnostic(d)
        #expect(entry.messageID == .policyFileWarning)
        #expect(entry.priority == .warning)
        #expect(entry.message == "a.yaml:8:3: warning: network policy (at spec.policyTypes)")
        #expect(entry[.field] == "spec.policyTypes")
    }

    @Test func wholeFileProblemHasNoLine() {
        let entry = JournalEntry.diagnostic(Diagnostic(.error, file: "a.yaml", line: 0, column: 0, "cannot open"))
        #expect(entry[.file] == "a.yaml")
        #expect(entry[.line] == nil)
        #expect(entry[.column] == nil)
    }

    @Test func generationAppliedReadsAsASentence() {
        let summary = GenerationSummary(
            generation: 3, policies: ["a", "b"], rules: 5, files: 2, execStates: 40)
        let entry = JournalEntry.applied(summary, programIDs: ["pc_exec": 12, "pc_capable": 14])
        #expect(entry.message == "generation 3 applied: 2 policies, 5 rules from 2 files")
        #expect(entry.messageID == .generationApplied)
        #expect(entry.priority == .info)
        #expect(entry[.generation] == "3")
        #expect(entry[.ruleCount] == "5")
        #expect(entry[.policies] == "a,b")
        #expect(entry[.programIDs] == "pc_capable:14,pc_exec:12")
        let one = GenerationSummary(generation: 1, policies: ["a"], rules: 1, files: 1, execStates: 3)
        #expect(one.description == "generation 1 applied: 1 policy, 1 rule from 1 file")
    }

    @Test func failedGenerationSaysWhatStaysInForce() {
        #expect(JournalEntry.generationFailed("boom", kept: 4).message == "boom; keeping generation 4")
        #expect(JournalEntry.generationFailed("boom", kept: 0).message == "boom; nothing is enforced yet")
        let at = SourceLocation(file: "x.yaml", line: 2, column: 5)
        let entry = JournalEntry.generationFailed("too many states", kept: 4, at: at)
        #expect(entry.priority == .error)
        #expect(entry[.file] == "x.yaml")
        #expect(entry[.line] == "2")
        #expect(entry[.column] == "5")
    }
}

/// Entries of tamper protection that the daemon and `disarm` write themselves.
@Suite struct TamperDaemonEntryTests {
    @Test func disarmIsLoggedWhetherItWorkedOrNot() {
        let done = JournalEntry.disarmed(removed: 26, refused: nil, pins: "/sys/fs/bpf/portcullis/abi-5")
        #expect(done.messageID == .disarmed && done.priority == .warning)
        #expect(done.message.hasSuffix("26 pins removed from /sys/fs/bpf/portcullis/abi-5; enforcement ends"))
        #expect(done[.uid] == String(getuid()))
        let refused = JournalEntry.disarmed(removed: 0, refused: "enforcement is locked until reboot", pins: "/p")
        #expect(refused.messageID == .disarmed && refused.priority == .alert)
        #expect(refused[.found] == "enforcement is locked until reboot")
    }

    @Test func aRepairListsWhatWasFound() {
        let entry = JournalEntry.tamperRepaired(["/p/maps/pc_image was missing: pinned again", "/p was missing"])
        #expect(entry.messageID == .tamperRepaired && entry.priority == .alert)
        #expect(entry[.found] == "/p/maps/pc_image was missing: pinned again\n/p was missing")
    }
}

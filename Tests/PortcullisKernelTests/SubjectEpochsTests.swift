import Glibc
import PortcullisCompiler
import PortcullisPolicy
import Testing

@testable import PortcullisKernel

/// The loader's subject epochs (PC_HDR_SUBJECT_EPOCH): one epoch for images
/// with the same subject conditions, else a new one of the other parity, never
/// one given before, never 0.
@Suite struct SubjectEpochsTests {
    static func views(_ args: String) throws -> SubjectViews {
        let at = SourceLocation(file: "e.yaml", line: 1, column: 1)
        let rule = Rule(
            operation: .capability([Capability(name: "CAP_CHOWN")!]), subject: Subject(args: args), action: .deny,
            source: at)
        return try PolicyCompiler.compile([Policy(name: "e", source: at, mode: .enforce, rules: [rule])], generation: 1)
            .subjectViews
    }

    @Test func theSameConditionsKeepTheEpochInForce() throws {
        var epochs = SubjectEpochs(active: 0, salt: 5)
        let a = try Self.views("^a ")
        let first = epochs.epoch(for: a)
        #expect(!first.same && first.epoch != 0)
        epochs.installed(first.epoch, views: a)
        let again = epochs.epoch(for: try Self.views("^a "))
        #expect(again.same && again.epoch == first.epoch)
    }

    @Test func otherConditionsGetANewEpochOfTheOtherParity() throws {
        var epochs = SubjectEpochs(active: 0, salt: 5)
        let (a, b) = (try Self.views("^a "), try Self.views("^b "))
        let first = epochs.epoch(for: a)
        epochs.installed(first.epoch, views: a)
        let second = epochs.epoch(for: b)
        #expect(!second.same && second.epoch != first.epoch)
        #expect(second.epoch & 1 != first.epoch & 1)
        epochs.installed(second.epoch, views: b)
        // Back to a's conditions: a new epoch again (a's views were overwritten meanwhile).
        let third = epochs.epoch(for: a)
        #expect(!third.same && third.epoch & 1 != second.epoch & 1 && third.epoch != first.epoch)
    }

    @Test func anEpochIsNeverGivenTwiceEvenWhenItsInstallFailed() throws {
        var epochs = SubjectEpochs(active: 0, salt: 5)
        let a = try Self.views("^a ")
        let first = epochs.epoch(for: a)
        epochs.installed(first.epoch, views: a)
        var seen: Set<UInt64> = [first.epoch]
        for n in 0..<50 {
            // Staged and never installed (a failure): the next one is another, still of the other parity.
            let attempt = epochs.epoch(for: try Self.views("^x\(n) "))
            #expect(!attempt.same && attempt.epoch != 0)
            #expect(attempt.epoch & 1 != first.epoch & 1)
            #expect(seen.insert(attempt.epoch).inserted)
        }
    }

    @Test func unknownViewsAndAnotherProcessesEpochAreNeverKept() throws {
        let a = try Self.views("^a ")
        // Another process installed epoch 0x7_00000004: its views are unknown here.
        var epochs = SubjectEpochs(active: 0x7_0000_0004, salt: 9)
        let first = epochs.epoch(for: a)
        #expect(!first.same && first.epoch >> 32 == 9 && first.epoch & 1 == 1)
        epochs.installed(first.epoch, views: nil)
        #expect(!epochs.epoch(for: a).same)  // installed with unknown views
        #expect(!epochs.epoch(for: nil).same)
    }

    @Test func theStartSaltIsNeverZeroAndChangesWithTheClock() {
        var salts: Set<UInt32> = []
        for _ in 0..<50 {
            let salt = SubjectEpochs.startSalt()
            #expect(salt != 0)
            salts.insert(salt)
            usleep(50)
        }
        #expect(salts.count == 50)
    }
}

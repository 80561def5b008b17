import CPortcullisABI
import PortcullisKernel
import Testing

/// Decoding struct pc_event records as the ring buffer delivers them.
@Suite struct DecisionEventTests {
    /// The record the ring buffer delivers: the event up to the end of its path, as pc_event_send copies it.
    static func record(_ fill: (inout pc_event) -> Void) -> [UInt8] {
        var e = pc_event()
        fill(&e)
        let pathBytes = withUnsafeBytes(of: e.path) { $0.prefix { $0 != 0 }.count } + 1
        e.path_bytes = UInt32(pathBytes)
        let fixed = MemoryLayout<pc_event>.offset(of: \pc_event.path)!
        return withUnsafeBytes(of: e) { Array($0.prefix(fixed + pathBytes)) }
    }

    static func setString<T>(_ field: inout T, _ text: String) {
        withUnsafeMutableBytes(of: &field) { raw in
            for (i, b) in text.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
    }

    @Test func execDenyDecodes() throws {
        let bytes = Self.record { e in
            e.hook = UInt32(PC_HOOK_EXEC.rawValue)
            e.decision = UInt32(PC_ACTION_DENY.rawValue)
            e.rule = 3
            e.generation = 42
            e.pid = 100
            e.tgid = 99
            e.uid = 1000
            Self.setString(&e.comm, "bash")
            Self.setString(&e.path, "/usr/bin/kubectl")
            Self.setString(&e.exe, "/usr/bin/bash")
        }
        let event = try #require(bytes.withUnsafeBytes { DecisionEvent(bytes: $0) })
        #expect(event.executable == "/usr/bin/bash")
        #expect(event.hook == .exec)
        #expect(event.decision == .deny)
        #expect(event.rule == 3)
        #expect(event.generation == 42)
        #expect(event.tgid == 99 && event.pid == 100 && event.uid == 1000)
        #expect(event.comm == "bash")
        #expect(event.path == "/usr/bin/kubectl")
        #expect(event.capability == nil)
        #expect(!event.pathUnreadable)
        #expect(!event.afterExec)
    }

    @Test func aKillAfterExecDecodes() throws {
        let bytes = Self.record { e in
            e.hook = UInt32(PC_HOOK_EXEC.rawValue)
            e.decision = UInt32(PC_ACTION_DENY.rawValue)
            e.flags = UInt32(PC_EVENT_EXEC_DONE)
            Self.setString(&e.path, "/usr/bin/kubectl")
        }
        let event = try #require(bytes.withUnsafeBytes { DecisionEvent(bytes: $0) })
        #expect(event.afterExec && !event.pathUnreadable)
        #expect(event.executable == nil)
    }

    @Test func failClosedCapableAndShortRecords() throws {
        let bytes = Self.record { e in
            e.hook = UInt32(PC_HOOK_CAPABLE.rawValue)
            e.decision = UInt32(PC_ACTION_AUDIT.rawValue)
            e.rule = PC_RULE_NONE
            e.capability = 12
            e.flags = UInt32(PC_EVENT_PATH_UNREADABLE)
        }
        let event = try #require(bytes.withUnsafeBytes { DecisionEvent(bytes: $0) })
        #expect(event.hook == .capable && event.decision == .audit)
        #expect(event.rule == nil)
        #expect(event.capability == 12)
        #expect(event.pathUnreadable)
        #expect(event.path == nil)
        #expect(bytes.prefix(100).withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)
    }

    /// A record is as long as its path: a short path costs the ring a short record, the
    /// longest fills the struct, and a record whose size its path does not explain is refused.
    @Test func aRecordEndsWithItsPath() throws {
        let fixed = MemoryLayout<pc_event>.offset(of: \pc_event.path)!
        let short = Self.record { e in
            e.hook = UInt32(PC_HOOK_EXEC.rawValue)
            Self.setString(&e.path, "/bin/x")
        }
        #expect(short.count == fixed + 7)
        #expect(try #require(short.withUnsafeBytes { DecisionEvent(bytes: $0) }).path == "/bin/x")
        let longest = String(repeating: "a", count: Int(PC_EVENT_PATH_MAX) - 1)
        let full = Self.record { e in
            e.hook = UInt32(PC_HOOK_EXEC.rawValue)
            Self.setString(&e.path, longest)
        }
        #expect(full.count == MemoryLayout<pc_event>.size)
        #expect(try #require(full.withUnsafeBytes { DecisionEvent(bytes: $0) }).path == longest)
        #expect((short + [0]).withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)  // one byte its path does not explain
        #expect(short.dropLast().withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)  // cut before its NUL
        var unterminated = short
        unterminated[unterminated.count - 1] = UInt8(ascii: "y")
        #expect(unterminated.withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)
        #expect((full + [0]).withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)  // longer than any record
        #expect(Array(short.prefix(fixed)).withUnsafeBytes { DecisionEvent(bytes: $0) } == nil)  // no path at all
    }
}

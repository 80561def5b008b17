import CPortcullisABI
@testable import PortcullisKernel
import Testing

/// The records the daemon writes for processes older than the programs.
@Suite struct TaskSeederTests {
    static func decode(_ bytes: [UInt8]) -> pc_task {
        bytes.withUnsafeBytes { $0.loadUnaligned(as: pc_task.self) }
    }

    static func text(_ t: pc_task_text) -> [UInt8] {
        withUnsafeBytes(of: t.data) { Array($0.prefix(Int(t.length))) }
    }

    @Test func theIteratorNamesEachProcessOnceInTheOrderFound() {
        func bytes(_ pids: [Int32]) -> [UInt8] { pids.flatMap { withUnsafeBytes(of: $0) { Array($0) } } }
        #expect(TaskSeeder.processIDs(bytes([812, 4_194_303, 812, 17, 812])) == [812, 4_194_303, 17])
        #expect(TaskSeeder.processIDs([]) == [])
        #expect(TaskSeeder.processIDs(bytes([5]) + [1, 2]) == [5])  // a partial id is not one
    }

    @Test func argumentsDropArgv0AndTheFinalNUL() {
        let cmdline = Array("python3\0probe.py\0seeding-probe\0".utf8)
        #expect(TaskSeeder.arguments(cmdline) == Array("probe.py\0seeding-probe".utf8))
        #expect(TaskSeeder.arguments(Array("sleep\0".utf8)) == [])
    }

    @Test func unreadableArgumentsAreUnknown() {
        #expect(TaskSeeder.arguments(nil) == nil)
        #expect(TaskSeeder.arguments([]) == nil)  // a zombie, or a kernel thread
        #expect(TaskSeeder.arguments([UInt8](repeating: 0x61, count: 300) + [0]) == nil)  // argv[0] too long to skip
    }

    @Test func recordHoldsTheTexts() {
        let task = Self.decode(TaskSeeder.record(exe: Array("/usr/bin/python3.11".utf8), arguments: Array("a\0b".utf8)))
        #expect(task.exe.flags == UInt32(PC_TEXT_KNOWN))
        #expect(Self.text(task.exe) == Array("/usr/bin/python3.11".utf8))
        #expect(task.args.flags == UInt32(PC_TEXT_KNOWN))
        #expect(Self.text(task.args) == Array("a\0b".utf8))
        #expect(task.exec_exe.flags == 0)
        #expect(task.views.0.epoch == 0 && task.views.1.epoch == 0)
    }

    /// An executable the host shows at other paths too: conditions on those are unknown (PC_TEXT_ALIASED).
    @Test func anExecutableShownElsewhereIsMarked() {
        let exe = Array("/backup/twice/tool".utf8)
        let marked = Self.decode(TaskSeeder.record(exe: exe, arguments: [], aliased: true))
        #expect(marked.exe.flags == UInt32(PC_TEXT_KNOWN | PC_TEXT_ALIASED))
        #expect(Self.text(marked.exe) == exe)
        #expect(marked.args.flags == UInt32(PC_TEXT_KNOWN))
        #expect(Self.decode(TaskSeeder.record(exe: exe, arguments: [])).exe.flags == UInt32(PC_TEXT_KNOWN))
    }

    @Test func longTextsAreCutAndUnknownOnesFlagged() {
        let long = [UInt8](repeating: 0x78, count: Int(PC_TASK_TEXT_MAX) + 10)
        let task = Self.decode(TaskSeeder.record(exe: long, arguments: nil))
        #expect(task.exe.flags == UInt32(PC_TEXT_KNOWN | PC_TEXT_CUT))
        #expect(task.exe.length == UInt32(PC_TASK_TEXT_MAX))
        #expect(task.args.flags == 0 && task.args.length == 0)
    }
}

import CBPF
import Foundation
import PortcullisCompiler
import PortcullisPolicy
import Testing

@testable import PortcullisKernel

/// Issue 10: the kernel memory of every map with the seed policies in force,
/// computed for a 128-CPU host from the map definitions of the embedded object.
@Suite struct MapFootprintTests {
    static let seedDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/seed")

    /// The seed policies' image (lines) and rules (each a pc_hits entry once it decides).
    static func seedImageLines() throws -> (lines: Int, rules: Int) {
        let names = try FileManager.default.contentsOfDirectory(atPath: seedDirectory.path).filter { $0.hasSuffix(".yaml") }
        let policies = try names.flatMap { name in
            PolicyReader.read([UInt8](try Data(contentsOf: seedDirectory.appendingPathComponent(name))), file: name).policies
        }
        let compiled = try PolicyCompiler.compile(policies, generation: 1)
        #expect(policies.count == 3 && !compiled.rules.isEmpty)
        return (compiled.image.lineCount, compiled.rules.count)
    }

    @Test func everyMapIsModelled() throws {
        let maps = try MapFootprint.embeddedMaps()
        #expect(maps.contains { $0.name == "pc_tasks" })
        for map in maps {
            #expect(MapFootprint.bytes(map, .init(cpus: 2, imageLines: 1, hashEntries: 1)) != nil, "\(map.name) (type \(map.type))")
        }
    }

    @Test func withTheSeedPoliciesOn128CPUsTheMapsTakeAtMost16MB() throws {
        let (lines, rules) = try Self.seedImageLines()
        let maps = try MapFootprint.embeddedMaps()
        let load = MapFootprint.Load(cpus: 128, imageLines: lines, hashEntries: rules)
        let total = try #require(MapFootprint.total(maps, load))
        let report = maps.map { ($0.name, MapFootprint.bytes($0, load) ?? -1) }.sorted { $0.1 > $1.1 }
            .map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        #expect(total <= 16 << 20, "\(total) bytes: \(report), image \(lines) lines")
        #expect(total > 8 << 20, "the ring buffer and the rate limits alone take more: \(report)")
    }

    @Test func perCPUMapsGrowWithTheCPUsAndHashMapsWithTheirEntries() {
        let scratch = MapFootprint.Map(
            name: "s", type: BPF_MAP_TYPE_PERCPU_ARRAY.rawValue, keySize: 4, valueSize: 4_096, maxEntries: 1, flags: 0)
        #expect(MapFootprint.bytes(scratch, .init(cpus: 2, imageLines: 0, hashEntries: 0)) == 8 + 2 * 4_096)
        #expect(MapFootprint.bytes(scratch, .init(cpus: 128, imageLines: 0, hashEntries: 0)) == 8 + 128 * 4_096)
        let hits = MapFootprint.Map(
            name: "h", type: BPF_MAP_TYPE_PERCPU_HASH.rawValue, keySize: 8, valueSize: 8, maxEntries: 65_536,
            flags: UInt32(BPF_F_NO_PREALLOC))
        let few = MapFootprint.bytes(hits, .init(cpus: 128, imageLines: 0, hashEntries: 3))!
        let many = MapFootprint.bytes(hits, .init(cpus: 128, imageLines: 0, hashEntries: 1_003))!
        #expect(many - few == 1_000 * (48 + 8 + 8 * 128))
        #expect(few >= 65_536 * 16)  // the buckets are there from the start
    }

    @Test func taskStorageIsPerTask() throws {
        let tasks = try #require(try MapFootprint.embeddedMaps().first { $0.name == "pc_tasks" })
        #expect(MapFootprint.bytes(tasks, .init(cpus: 128, imageLines: 1, hashEntries: 0)) == 0)
        #expect(MapFootprint.perTask(tasks) == MapFootprint.roundUp(tasks.valueSize, 8) + 160)
    }

    /// Issue 10: at most 256 bytes per task while no subject condition is in force. No
    /// record is made then (84-task-records.sh shows it in the kernel): nothing at all.
    @Test func aTaskCostsNoStorageWhileNoImageNeedsRecords() throws {
        let tasks = try #require(try MapFootprint.embeddedMaps().first { $0.name == "pc_tasks" })
        let at = SourceLocation(file: "p.yaml", line: 1, column: 1)
        func image(_ subject: Subject, _ args: String? = nil) throws -> PolicyImage {
            let exec = Operation.exec(paths: [.exact("/usr/bin/kubectl")], args: args)
            let policy = Policy(
                name: "p", source: at, mode: .enforce,
                rules: [Rule(operation: exec, subject: subject, action: .deny, source: at)])
            return try PolicyCompiler.compile([policy], generation: 1).image
        }
        let execOnly = try image(.everyone)
        #expect(!execOnly.needsTaskRecords)
        #expect(MapFootprint.perTask(tasks, under: execOnly) == 0)
        let bySubject = try image(Subject(executables: [.exact("/usr/bin/bash")]))
        #expect(bySubject.needsTaskRecords)
        #expect(MapFootprint.perTask(tasks, under: bySubject) == MapFootprint.perTask(tasks))
        let byArguments = try image(.everyone, "^delete ")
        #expect(byArguments.needsTaskRecords)  // staged by the exec hook for sched_process_exec
    }
}

import CBPF
import Testing

@testable import PortcullisKernel

/// ProgramLoader's side-by-side load (issue 10): the maps come from maps.bpf.c's
/// own object and every part shares them, so that object must define each map
/// the programs use exactly as the linked object does; and the parts must hold
/// every program once.
@Suite struct ProgramLoaderTests {
    @Test func theMapsObjectDefinesEveryMapOfTheProgramsAlike() throws {
        let linked = try openEmbeddedObject()
        defer { bpf_object__close(linked) }
        let shared = try openEmbeddedMaps()
        defer { bpf_object__close(shared) }
        let used = MapFootprint.maps(of: linked, includingInternal: false)
        let defined = MapFootprint.maps(of: shared, includingInternal: false)
        #expect(used.count >= Pins.maps.count && used.contains { $0.name == "pc_mount_state_scratch" })
        #expect(used.sorted { $0.name < $1.name } == defined.sorted { $0.name < $1.name })
        #expect(MapFootprint.maps(of: shared).count == defined.count, "maps.bpf.c has no data of its own")
    }

    @Test func thePartsHoldEveryProgramOnce() throws {
        let parts = ProgramLoader.parts
        #expect(parts.count == 2 && parts.allSatisfy { !$0.isEmpty })
        #expect(parts.flatMap { $0 }.sorted() == Enforcer.programs.sorted())
        #expect(parts[0].contains("pc_exec") && parts[1].contains("pc_mmap_exec"))

        let object = try openEmbeddedObject()
        defer { bpf_object__close(object) }
        var inObject: [String] = []
        var program = bpf_object__next_program(object, nil)
        while let current = program {
            inObject.append(String(cString: bpf_program__name(current)))
            program = bpf_object__next_program(object, current)
        }
        #expect(inObject.sorted() == Enforcer.programs.sorted(), "every program of the object is loaded in some part")
    }
}

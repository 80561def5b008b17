import CBPF
import CPortcullisABI
import PortcullisCompiler

/// The map `pc_summary` (struct pc_summary): what the images in force need, for
/// the hot paths to skip what no image asks of them. pc_capable allows a
/// capability whose bit is clear without reading the image; forks and execs
/// keep no task records while `taskRecords` is false, and hash no executed file
/// while `content` is false. So it must never say less
/// than the active image needs (or the pending one, while tasks are seeded for
/// it): everything until the first install, both images' needs around a swap.
struct ImageSummary: Equatable, Sendable {
    var capabilities: UInt64
    var taskRecords: Bool
    var content: Bool

    static let everything = ImageSummary(capabilities: ~0, taskRecords: true, content: true)

    init(capabilities: UInt64, taskRecords: Bool, content: Bool) {
        self.capabilities = capabilities
        self.taskRecords = taskRecords
        self.content = content
    }

    init(of image: PolicyImage) {
        self.init(
            capabilities: image.namedCapabilities, taskRecords: image.needsTaskRecords, content: image.namesContent)
    }

    /// What either summary needs.
    func union(_ other: ImageSummary) -> ImageSummary {
        ImageSummary(
            capabilities: capabilities | other.capabilities, taskRecords: taskRecords || other.taskRecords,
            content: content || other.content)
    }

    /// The summary in the map; everything when it cannot be read.
    static func read(from fd: Int32) -> ImageSummary {
        var key: UInt32 = 0
        var value = pc_summary()
        guard bpf_map_lookup_elem(fd, &key, &value) == 0 else { return .everything }
        return ImageSummary(
            capabilities: value.capabilities, taskRecords: value.task_records != 0, content: value.content != 0)
    }

    /// Writes it into the map; returns bpf_map_update_elem's result.
    func write(to fd: Int32) -> Int32 {
        var key: UInt32 = 0
        var value = pc_summary(capabilities: capabilities, task_records: taskRecords ? 1 : 0, content: content ? 1 : 0)
        return bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY))
    }
}

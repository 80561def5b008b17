import CBPF
import CPortcullisABI
import PortcullisCompiler

/// The map `pc_summary` (struct pc_summary): what the images in force need, for
/// the hot paths to skip what no image asks of them. pc_capable allows a
/// capability whose bit is clear without reading the image; forks and execs
/// keep no task records while `taskRecords` is false, look for no task's move
/// between cgroups while `cgroupSubjects` is false (PC_SUMMARY_NO_CGROUP_SUBJECTS,
/// written only with records), and hash no executed file while `content` is
/// false. So it must never say less
/// than the active image needs (or the pending one, while tasks are seeded for
/// it): everything until the first install, both images' needs around a swap.
struct ImageSummary: Equatable, Sendable {
    var capabilities: UInt64
    var taskRecords: Bool
    var cgroupSubjects: Bool
    var content: Bool

    static let everything = ImageSummary(capabilities: ~0, taskRecords: true, cgroupSubjects: true, content: true)

    init(capabilities: UInt64, taskRecords: Bool, cgroupSubjects: Bool, content: Bool) {
        self.capabilities = capabilities
        self.taskRecords = taskRecords
        self.cgroupSubjects = cgroupSubjects
        self.content = content
    }

    init(of image: PolicyImage) {
        self.init(
            capabilities: image.namedCapabilities, taskRecords: image.needsTaskRecords,
            cgroupSubjects: image.hasCgroupSubjects, content: image.namesContent)
    }

    /// What either summary needs.
    func union(_ other: ImageSummary) -> ImageSummary {
        ImageSummary(
            capabilities: capabilities | other.capabilities, taskRecords: taskRecords || other.taskRecords,
            cgroupSubjects: cgroupSubjects || other.cgroupSubjects, content: content || other.content)
    }

    /// pc_summary.task_records: records, and the promise of no cgroup condition only with them.
    var taskRecordFlags: UInt32 {
        guard taskRecords else { return 0 }
        return PC_SUMMARY_RECORDS | (cgroupSubjects ? 0 : PC_SUMMARY_NO_CGROUP_SUBJECTS)
    }

    /// The summary in the map; everything when it cannot be read.
    static func read(from fd: Int32) -> ImageSummary {
        var key: UInt32 = 0
        var value = pc_summary()
        guard bpf_map_lookup_elem(fd, &key, &value) == 0 else { return .everything }
        return ImageSummary(
            capabilities: value.capabilities, taskRecords: value.task_records != 0,
            cgroupSubjects: value.task_records & PC_SUMMARY_RECORDS != 0
                && value.task_records & PC_SUMMARY_NO_CGROUP_SUBJECTS == 0,
            content: value.content != 0)
    }

    /// Writes it into the map; returns bpf_map_update_elem's result.
    func write(to fd: Int32) -> Int32 {
        var key: UInt32 = 0
        var value = pc_summary(capabilities: capabilities, task_records: taskRecordFlags, content: content ? 1 : 0)
        return bpf_map_update_elem(fd, &key, &value, UInt64(BPF_ANY))
    }
}

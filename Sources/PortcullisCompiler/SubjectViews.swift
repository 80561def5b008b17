import PortcullisPolicy

/// What a task's view of an image (struct pc_task_view: the subjects its
/// executable, arguments and cgroup make it) depends on: each subject's
/// patterns over those three texts, by subject number, and the subjects with
/// no condition on each. Two images with equal keys give every task the same
/// view, so the loader gives them one subject epoch and a swap from one to the
/// other needs no new views (PC_HDR_SUBJECT_EPOCH). Conditions the view does
/// not hold (uids, the user namespace, exceptions) are read from the image at
/// each decision and are not part of it.
public struct SubjectViews: Sendable, Hashable {
    struct Condition: Sendable, Hashable {
        var subject: Int
        var pattern: String
    }

    var subjects = 0
    var executables: [Condition] = []
    var arguments: [Condition] = []
    var cgroups: [Condition] = []
    var noExecutable = SubjectSet()
    var noArguments = SubjectSet()
    var noCgroup = SubjectSet()

    /// An image with no subjects: no view.
    public static let none = SubjectViews()

    init(_ subjects: [Subject]) {
        self.subjects = subjects.count
        for (id, subject) in subjects.enumerated() {
            if subject.executables.isEmpty { noExecutable.insert(id) }
            executables += subject.executables.map { Condition(subject: id, pattern: PathRegex.pattern(for: $0)) }
            if let args = subject.args {
                arguments.append(Condition(subject: id, pattern: args))
            } else {
                noArguments.insert(id)
            }
            // Units and cgroups are alternatives of one condition: one DFA, the same id.
            if subject.units.isEmpty && subject.cgroups.isEmpty { noCgroup.insert(id) }
            cgroups += subject.units.map { Condition(subject: id, pattern: CgroupRegex.pattern(forUnit: $0)) }
            cgroups += subject.cgroups.map { Condition(subject: id, pattern: PathRegex.pattern(for: $0)) }
        }
    }

    init() {}
}

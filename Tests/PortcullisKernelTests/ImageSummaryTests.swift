import CPortcullisABI
import PortcullisCompiler
import PortcullisPolicy
import Testing

@testable import PortcullisKernel

/// pc_summary's task_records word: records, and the promise that no image in
/// force has a cgroup condition (the hooks then skip looking for a task's move).
@Suite struct ImageSummaryTests {
    static func summary(_ yaml: String) throws -> ImageSummary {
        let policies = try PolicyReader.read(Array(yaml.utf8), file: "test.yaml").policies
        return ImageSummary(of: try PolicyCompiler.compile(policies, generation: 1).image)
    }

    static func policy(subject: String) -> String {
        """
        apiVersion: portcullis/v1alpha1
        kind: Policy
        metadata: { name: p }
        spec:
          rules:
            - capability: CAP_SYS_ADMIN
              subject: \(subject)
              action: deny
        """
    }

    @Test func aCgroupConditionWithdrawsThePromiseAndOthersMakeIt() throws {
        let byPath = try Self.summary(Self.policy(subject: "{ path: /usr/bin/mount }"))
        #expect(byPath.taskRecords && !byPath.cgroupSubjects)
        #expect(byPath.taskRecordFlags == PC_SUMMARY_RECORDS | PC_SUMMARY_NO_CGROUP_SUBJECTS)

        let byUnit = try Self.summary(Self.policy(subject: "{ unit: nginx.service }"))
        #expect(byUnit.taskRecords && byUnit.cgroupSubjects)
        #expect(byUnit.taskRecordFlags == PC_SUMMARY_RECORDS)

        // No subject condition on texts: no records, so no promise is needed (0).
        let byUid = try Self.summary(Self.policy(subject: "{ uid: 1000 }"))
        #expect(!byUid.taskRecords && byUid.taskRecordFlags == 0)

        // Around a swap the union is written: one image's cgroup condition withdraws the promise.
        #expect(byPath.union(byUnit).taskRecordFlags == PC_SUMMARY_RECORDS)
        #expect(byPath.union(byUid).taskRecordFlags == PC_SUMMARY_RECORDS | PC_SUMMARY_NO_CGROUP_SUBJECTS)
        #expect(ImageSummary.everything.taskRecordFlags == PC_SUMMARY_RECORDS)
    }
}

import PortcullisKernel
import Testing

@Suite struct DoctorTests {
    @Test func lsmRemedyKeepsEveryActiveLSMInOrderAndAddsBPF() {
        let remedy = Doctor.lsmRemedy(active: ["lockdown", "capability", "landlock", "yama", "apparmor"])
        #expect(remedy.contains("lsm=lockdown,capability,landlock,yama,apparmor,bpf "))
    }

    @Test func lsmRemedyNeverListsBPFTwice() {
        #expect(Doctor.lsmRemedy(active: ["bpf", "yama"]).contains("lsm=yama,bpf "))
    }

    @Test func unreadableLSMListDoesNotSuggestAList() {
        let checks = Doctor.run(lsmFile: "/nonexistent/lsm")
        let lsm = checks.first { $0.name == "BPF LSM active" }
        #expect(lsm?.ok == false)
        #expect(lsm?.remedy?.contains("lsm=") == false)
        #expect(lsm?.remedy?.contains("securityfs") == true)
    }
}

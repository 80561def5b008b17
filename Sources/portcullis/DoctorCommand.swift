import ArgumentParser
import PortcullisKernel

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that this kernel can enforce, and say what to change if not (exit 1).")

    func run() throws {
        let checks = Doctor.run()
        for check in checks {
            print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)")
            if let remedy = check.remedy, !check.ok { print("     fix: \(remedy)") }
        }
        guard checks.allSatisfy(\.ok) else { throw ExitCode(1) }
        print("this kernel can enforce portcullis policies")
    }
}

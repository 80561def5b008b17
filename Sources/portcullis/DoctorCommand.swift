import ArgumentParser
import FoundationEssentials
import PortcullisKernel

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that this kernel can enforce, and say what to change if not (exit 1).",
        discussion: """
            The test attach loads every program once; doctor then prints what the kernel's \
            verifier spent on each: the instructions it walked and the time the load took.
            """)

    @Option(help: "text, or json: one object with every check and the verifier's costs.")
    var format: OutputFormat = .text

    func run() throws {
        let (checks, verifier) = Doctor.runMeasuring()
        if format == .json {
            let report = DoctorReport(
                ok: checks.allSatisfy(\.ok),
                checks: checks.map { .init(name: $0.name, ok: $0.ok, detail: $0.detail, remedy: $0.ok ? nil : $0.remedy) },
                verifier: verifier.map {
                    .init(
                        program: $0.program, instructions: Int($0.verifiedInstructions),
                        loadMilliseconds: Double($0.loadNanoseconds) / 1e6)
                })
            print(try jsonLine(report))
            guard report.ok else { throw ExitCode(1) }
            return
        }
        for check in checks {
            print("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)")
            if let remedy = check.remedy, !check.ok { print("     fix: \(remedy)") }
        }
        if !verifier.isEmpty { print(Self.verifierTable(verifier)) }
        guard checks.allSatisfy(\.ok) else { throw ExitCode(1) }
        print("this kernel can enforce portcullis policies")
    }

    /// One line per program and a total: `verifier: NAME INSTRUCTIONS insns LOAD ms`.
    static func verifierTable(_ costs: [VerifierCost]) -> String {
        let width = costs.map(\.program.count).max() ?? 0
        func line(_ name: String, _ instructions: UInt64, _ nanoseconds: UInt64) -> String {
            let padded = name + String(repeating: " ", count: max(0, width - name.count))
            let insns = String(instructions).leftPadded(to: 9)
            let ms = String(nanoseconds / 1_000_000).leftPadded(to: 7)
            return "verifier: \(padded) \(insns) insns \(ms) ms"
        }
        var lines = costs.map { line($0.program, UInt64($0.verifiedInstructions), $0.loadNanoseconds) }
        lines.append(
            line(
                "total", costs.reduce(0) { $0 + UInt64($1.verifiedInstructions) },
                costs.reduce(0) { $0 + $1.loadNanoseconds }))
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// `doctor --format json`.
struct DoctorReport: Encodable {
    struct Check: Encodable {
        var name: String, ok: Bool, detail: String, remedy: String?
    }
    struct Cost: Encodable {
        var program: String, instructions: Int, loadMilliseconds: Double
    }
    var ok: Bool
    var checks: [Check]
    /// Per program, when the test attach loaded them.
    var verifier: [Cost]
}

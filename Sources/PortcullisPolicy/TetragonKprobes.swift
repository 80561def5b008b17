/// An entry of `spec.kprobes` on a kernel function that stands for an LSM hook, read as
/// that hook's `lsmhooks` entry would be (the same `args` and `selectors`):
///
///     kprobes:
///       - call: security_bprm_check   # bprm_check_security; security_sb_mount: sb_mount;
///         syscall: false              # cap_capable: capable
///         args: [{ index: 0, type: linux_binprm }]
///         selectors:
///           - matchArgs: [{ index: 0, operator: Prefix, values: [/tmp/] }]
///             matchActions: [{ action: Sigkill }]
///
/// `syscall: false` is required: Tetragon's default is `true`, which makes it look for a
/// system call of that name. Every error inside a kprobe ends with the `lsmhooks` form it
/// is read as.
extension TetragonFormat {
    static func kprobe(_ field: Field) -> [Rule]? {
        let start = field.log.entries.count
        let k = fields(
            field, supported: ["call", "syscall", "args", "selectors"], accepted: ["message", "tags"],
            tetragon: ["data", "returnArgAction", "ignore"], eventOnly: ["return", "returnArg"])
        guard let k else { return nil }
        let calls = Field.list(KprobeCall.allCases.map(\.rawValue))
        guard let callField = k["call"] else {
            field.error("'call' is missing; portcullis reads kprobes on \(calls)")
            return nil
        }
        guard let name = callField.string() else { return nil }
        guard let call = KprobeCall(rawValue: name) else {
            let hooks = Field.list(KprobeCall.allCases.map(\.hook.rawValue))
            callField.error(
                "a kprobe on '\(name)' is not supported by portcullis; it reads kprobes on \(calls), "
                    + "as the LSM hooks \(hooks)")
            return nil
        }
        defer { field.log.appendNote(call.lsmhooksForm, toErrorsFrom: start) }
        // Both are read, so that one pass reports every problem of the kprobe.
        let isFunction = isKernelFunction(k["syscall"], call, in: field)
        let rules = rules(
            args: k["args"], selectors: k["selectors"], at: HookSite(hook: call.hook, kprobe: call), entry: field)
        return isFunction ? rules : nil
    }

    /// Whether `syscall` says the call is a kernel function, as it is: `false`.
    static func isKernelFunction(_ syscall: Field?, _ call: KprobeCall, in kprobe: Field) -> Bool {
        let problem = "'\(call.rawValue)' is a kernel function, not a system call: write 'syscall: false'"
        guard let syscall else {
            kprobe.error("\(problem) (Tetragon's default is 'syscall: true')")
            return false
        }
        guard let value = syscall.node.bool else {
            syscall.error("expected true or false")
            return false
        }
        if value { syscall.error(problem) }
        return !value
    }
}

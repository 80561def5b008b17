/// The `matchActions` of one selector → the rule's action; the strongest one decides:
/// - `Override` (with `argError` -1 or absent) refuses the call: `deny`;
/// - `Sigkill`, and `Signal` with `argSig: 9` (SIGKILL, which Tetragon documents as the
///   same), kill the caller in Tetragon: portcullis refuses the call (`deny`, EPERM) and
///   leaves the process alive;
/// - `Post` audits.
extension TetragonFormat {
    enum ActionName: String, CaseIterable { case Override, Sigkill, Signal, Post }

    static func actions(_ field: Field, at site: HookSite) -> Action? {
        guard let items = field.sequence() else { return nil }
        var action = Action.audit
        var failed = false
        for item in items {
            guard let name = actionName(item, at: site) else {
                failed = true
                continue
            }
            if name != .Post { action = .deny }
        }
        return failed ? nil : action
    }

    /// One entry of `matchActions`, checked with its parameters.
    static func actionName(_ item: Field, at site: HookSite) -> ActionName? {
        let a = fields(
            item, supported: ["action", "argError", "argSig"],
            tetragon: [
                "argFd", "argName", "argUrl", "argFqdn", "argSock", "argIndex", "argValue",
                "argRegs", "argNewSymbol", "argNewAddr", "argNewOffset",
            ],
            eventOnly: ["rateLimit", "rateLimitScope", "kernelStackTrace", "userStackTrace", "imaHash"])
        guard let a, let nameField = required(a, "action", in: item) else { return nil }
        if nameField.node.string == "NotifyEnforcer" {
            nameField.error(
                "'NotifyEnforcer' hands the call to Tetragon's 'enforcers', which act on system calls "
                    + "and which portcullis does not read; use 'Override' or 'Sigkill'")
            return nil
        }
        guard let name = nameField.oneOf(ActionName.self) else { return nil }
        var valid = true
        for (key, owner) in [("argError", ActionName.Override), ("argSig", .Signal)] where name != owner {
            if let parameter = a[key] {
                parameter.keyError("'\(key)' belongs to '\(owner.rawValue)'")
                valid = false
            }
        }
        switch name {
        case .Override:
            if let kprobe = site.kprobe, !kprobe.canOverride {
                nameField.error(
                    "Tetragon refuses 'Override' on '\(kprobe.rawValue)': it overrides only system calls and "
                        + "'security_' functions. Use 'Sigkill', or the LSM hook, where 'Override' applies")
                valid = false
            }
            if let argError = a["argError"], argError.node.int != -1 {
                let found = argError.node.string.map { "'\($0)' is not supported; " } ?? ""
                argError.error("\(found)portcullis denies with EPERM: write 'argError: -1' or leave it out")
                valid = false
            }
        case .Signal:
            guard let signal = required(a, "argSig", in: item) else { return nil }
            if signal.node.int != 9 {
                let found = signal.node.string.map { "'\($0)' is not read; " } ?? ""
                signal.error(
                    "\(found)portcullis reads 'Signal' only with 'argSig: 9' (SIGKILL), as 'Sigkill': "
                        + "another signal does not stop the call")
                valid = false
            }
        case .Sigkill, .Post:
            break
        }
        return valid ? name : nil
    }
}

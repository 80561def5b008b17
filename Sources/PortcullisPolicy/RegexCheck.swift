import PortcullisRegex

/// Syntax checking of the regular expressions written in policies.
enum RegexCheck {
    static func problem(in pattern: String) -> RegexSyntaxError? {
        do {
            _ = try RegexPattern.parse(pattern)
            return nil
        } catch {
            return error
        }
    }
}

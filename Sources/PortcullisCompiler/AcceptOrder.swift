/// What `ImagePlan.ordered` needs of each rule to put an accept list in the
/// kernel's order, read once per compile into flat arrays (the exec DFA has
/// tens of thousands of accept lists; reading each rule's record for each of
/// them copied its strings). The result is `carvedOut(ids)` sorted strongest
/// first, as before.
struct AcceptOrder {
    /// The kernel action of each rule, by rule index.
    private let action: [UInt32]
    /// Whether the rule is an `allow` without conditions, which carves its policy out of a list.
    private let carves: [Bool]
    /// The policy of each rule, as a number.
    private let policy: [Int]

    init(_ plan: ImagePlan) {
        var numbers: [String: Int] = [:]
        var action: [UInt32] = []
        var carves: [Bool] = []
        var policy: [Int] = []
        for i in plan.rules.indices {  // by index: a rule's record is read in place, not copied
            action.append(PolicyCompiler.kernelAction(plan.rules[i].action))
            carves.append(plan.rules[i].action == .allow && plan.execConditions[i] == nil)
            let name = plan.rules[i].policy
            if numbers[name] == nil { numbers[name] = numbers.count }
            policy.append(numbers[name]!)
        }
        (self.action, self.carves, self.policy) = (action, carves, policy)
    }

    /// `ids` less the rules of the policies whose unconditional allow is among
    /// them (`ImagePlan.carvedOut`), strongest action first, then by index.
    func ordered(_ ids: [Int]) -> [Int] {
        var kept = ids
        if ids.contains(where: { carves[$0] }) {
            let silenced = Set(ids.filter { carves[$0] }.map { policy[$0] })
            kept = ids.filter { !silenced.contains(policy[$0]) }
        }
        if kept.count > 1 { kept.sort { (action[$0], -$0) > (action[$1], -$1) } }
        return kept
    }
}

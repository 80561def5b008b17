import PortcullisPolicy
import Testing

/// Tetragon `TracingPolicy` files shaped like real ones, mapped onto the model.
@Suite struct TetragonFormatTests {
    @Test func bprmCheckOverrideWithNotInBinaries() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: "deny-exec-from-tmp"
            spec:
              lsmhooks:
              - hook: "bprm_check_security"
                args:
                  - index: 0
                    type: "linux_binprm"
                selectors:
                - matchBinaries:
                  - operator: "NotIn"
                    values:
                    - "/usr/bin/dpkg"
                    - "/usr/bin/apt-get"
                  matchArgs:
                  - index: 0
                    operator: "Prefix"
                    values:
                    - "/tmp/"
                    - "/dev/shm/"
                  matchActions:
                  - action: Override
                    argError: -1
                - matchArgs:
                  - index: 0
                    operator: "Postfix"
                    values:
                    - "/nc"
                    - ".sh"
                  matchActions:
                  - action: Post
            """, file: "deny-exec-from-tmp.yaml")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let policy = try #require(file.policies.first)
        #expect(policy.name == "deny-exec-from-tmp")
        #expect(policy.mode == .enforce)
        let at = { (line: Int, column: Int) in
            SourceLocation(file: "deny-exec-from-tmp.yaml", line: line, column: column)
        }
        #expect(
            policy.rules == [
                Rule(
                    operation: .exec(paths: [.prefix("/tmp/"), .prefix("/dev/shm/")], args: nil),
                    subject: Subject(except: [
                        Subject(executables: [.exact("/usr/bin/dpkg"), .exact("/usr/bin/apt-get")])
                    ]),
                    action: .deny, source: at(12, 7)),
                Rule(
                    operation: .exec(paths: [.regex("/nc$"), .regex(#"\.sh$"#)], args: nil),
                    subject: .everyone, action: .audit, source: at(26, 7)),
            ])
    }

    @Test func capableOverrideForOneBinary() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: ip-no-net-admin
            spec:
              lsmhooks:
              - hook: capable
                args:
                - index: 2
                  type: int
                selectors:
                - matchBinaries:
                  - operator: In
                    values: [/usr/sbin/ip, /usr/bin/ip]
                  matchArgs:
                  - index: 2
                    operator: Equal
                    values: ["12", 21]
                  matchActions:
                  - action: Override
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(file.policies.first?.rules.count == 1)
        #expect(
            rule.operation
                == .capability([Capability(name: "CAP_NET_ADMIN")!, Capability(name: "CAP_SYS_ADMIN")!]))
        #expect(rule.subject == Subject(executables: [.exact("/usr/sbin/ip"), .exact("/usr/bin/ip")]))
        #expect(rule.action == .deny)
    }

    @Test func sbMountArgumentsBecomeSourceTargetAndType() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata:
              name: no-mounts-over-etc
            spec:
              lsmhooks:
              - hook: sb_mount
                args:
                - index: 0
                  type: string
                - index: 1
                  type: path
                - index: 2
                  type: string
                - index: 3
                  type: int
                selectors:
                - matchArgs:
                  - index: 1
                    operator: Prefix
                    values: [/etc, /usr]
                  - index: 2
                    operator: Equal
                    values: [overlay, tmpfs]
                  - index: 0
                    operator: Equal
                    values: [/dev/sdb1]
                  matchActions:
                  - action: Override
                    argError: -1
                - matchArgs:
                  - index: 0
                    operator: Postfix
                    values: [.img]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rules = try #require(file.policies.first?.rules)
        #expect(rules.count == 2)
        #expect(
            rules[0].operation
                == .mount(
                    MountMatch(
                        sources: [.exact("/dev/sdb1")], targets: [.prefix("/etc"), .prefix("/usr")],
                        fsTypes: ["overlay", "tmpfs"])))
        #expect(rules[0].action == .deny)
        #expect(rules[1].operation == .mount(MountMatch(sources: [.regex(#"\.img$"#)])))
        #expect(rules[1].action == .audit)
    }

    @Test func hookWithoutSelectorsAuditsEveryCall() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: watch-caps }
            spec:
              lsmhooks:
              - hook: capable
                message: "capability used"
                tags: [observability]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(
            rule.operation == .capability(Capability.validNames.map { Capability(name: $0)! }))
        #expect(rule.subject.isEveryone)
        #expect(rule.action == .audit)
        #expect((rule.source.line, rule.source.column) == (6, 5))
    }

    @Test func selectorWithoutActionsAudits() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: watch-kubectl }
            spec:
              lsmhooks:
              - hook: bprm_check_security
                args: [{ index: 0, type: linux_binprm, label: binary }]
                selectors:
                - matchArgs: [{ index: 0, operator: Equal, values: [/usr/bin/kubectl] }]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(rule.operation == .exec(paths: [.exact("/usr/bin/kubectl")], args: nil))
        #expect(rule.action == .audit)
    }

    @Test func postfixEscapesRegexOperators() throws {
        let file = Fixtures.read(
            """
            apiVersion: cilium.io/v1alpha1
            kind: TracingPolicy
            metadata: { name: p }
            spec:
              lsmhooks:
              - hook: bprm_check_security
                args: [{ index: 0, type: linux_binprm }]
                selectors:
                - matchArgs: [{ index: 0, operator: Postfix, values: ["bin/c++", "(x)[y]{z}|a*b?^$\\\\"] }]
                  matchActions: [{ action: Override }]
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(
            rule.operation
                == .exec(paths: [.regex(#"bin/c\+\+$"#), .regex(#"\(x\)\[y\]\{z\}\|a\*b\?\^\$\\$"#)], args: nil))
        #expect(rule.action == .deny)
    }
}

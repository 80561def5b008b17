import PortcullisPolicy
import Testing

@Suite struct NativeMountTests {
    @Test func mountRuleReadsEveryField() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount:
                    source: /srv
                    sourceRegex: "^/home/[^/]+$"
                    targetPrefix: [/etc, /usr]
                    fstype: [ext4, fuse.sshfs]
                    flags: [bind, ro]
                  action: deny
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let rule = try #require(file.policies.first?.rules.first)
        #expect(
            rule.operation
                == .mount(
                    MountMatch(
                        sources: [.exact("/srv"), .regex("^/home/[^/]+$")],
                        targets: [.prefix("/etc"), .prefix("/usr")], fsTypes: ["ext4", "fuse.sshfs"],
                        flags: [.bind, .readOnly])))
        #expect(rule.subject.isEveryone)
        #expect(rule.action == .deny)
        #expect(rule.source.line == 6)
    }

    @Test func emptyMountIsEveryMount() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount: {}
                  action: audit
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(file.policies.first?.rules.first?.operation == .mount(.any))
    }

    @Test func everyFlagHasItsMountSpelling() {
        #expect(
            MountFlag.allCases.map(\.rawValue)
                == ["bind", "remount", "move", "recursive", "ro", "nosuid", "nodev", "noexec"])
    }

    @Test func unknownFlagListsTheValidOnes() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount: { flags: [bind, rbind] }
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect(d.severity == .error)
        #expect((d.line, d.column) == (6, 30))
        #expect(d.field == "spec.rules[0].mount.flags[1]")
        #expect(d.message.contains("'rbind'"))
        #expect(d.message.contains("'bind', 'remount', 'move', 'recursive', 'ro', 'nosuid', 'nodev', 'noexec'"))
        #expect(!file.isUsable)
    }

    @Test func filesystemTypeMustBeOneWord() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount:
                    fstype: "ext4, xfs"
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (7, 17))
        #expect(d.field == "spec.rules[0].mount.fstype")
        #expect(d.message.contains("list"))
    }

    @Test func mountTargetMustBeAbsolute() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount:
                    target: [/mnt, mnt/data]
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (7, 24))
        #expect(d.field == "spec.rules[0].mount.target[1]")
        #expect(d.message.contains("absolute"))
    }

    @Test func everyBadValueIsReportedAtOnce() {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount: { source: dev/sda1, flags: [rbind], fstype: "a b" }
                  action: deny
            """)
        #expect(file.diagnostics.map(\.column).sorted() == [24, 42, 58])
    }

    @Test func aRuleWithTwoOperationsNamesThem() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount: {}
                  capability: [CAP_SYS_ADMIN]
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 7))
        #expect(d.message.contains("exactly one operation"))
        #expect(d.message.contains("found 'mount', 'capability'"))
    }

    @Test func capabilityNamesWorkWithAndWithoutThePrefix() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              mode: audit
              rules:
                - capability: [net_admin, CAP_SYS_ADMIN]
                  action: deny
            """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let policy = try #require(file.policies.first)
        #expect(policy.mode == .audit)
        #expect(
            policy.rules.first?.operation
                == .capability([Capability(name: "CAP_NET_ADMIN")!, Capability(name: "SYS_ADMIN")!]))
    }

    @Test func badTargetRegexPointsAtTheOffendingCharacter() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount:
                    sourcePrefix: /dev/
                    targetRegex: "^/(etc|usr"
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect(d.severity == .error)
        // The quote opens at column 22; the unclosed '(' is 2 characters into the pattern.
        #expect((d.line, d.column) == (8, 25))
        #expect(d.field == "spec.rules[0].mount.targetRegex")
        #expect(d.message.contains("regular expression"))
    }

    @Test func relativeSourcePrefixIsAnError() throws {
        let file = Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - mount: { sourcePrefix: dev/, target: /mnt }
                  action: deny
            """)
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (6, 30))
        #expect(d.field == "spec.rules[0].mount.sourcePrefix")
        #expect(d.message.contains("'dev/' is not an absolute path"))
    }
}

import PortcullisPolicy
import Testing

@Suite struct NativeSubjectTests {
    static func rule(subject: String) -> PolicyFile {
        Fixtures.read(
            """
            apiVersion: portcullis/v1alpha1
            kind: Policy
            metadata: { name: p }
            spec:
              rules:
                - capability: [CAP_SYS_ADMIN]
                  subject:
            \(subject)
                  action: deny
            """)
    }

    @Test func everySubjectFieldIsRead() throws {
        let file = Self.rule(
            subject: """
                        pathPrefix: /usr/bin/
                        argsRegex: "-o bind"
                        unit: [nginx.service, system.slice]
                        cgroup: /system.slice/docker.service/
                        cgroupRegex: "^/machine\\\\.slice/"
                        uid: [0, 1000]
                        except:
                          - path: /usr/bin/mount
                          - uid: 0
                            unit: systemd-udevd.service
                """)
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        let subject = try #require(file.policies.first?.rules.first?.subject)
        #expect(
            subject
                == Subject(
                    executables: [.prefix("/usr/bin/")], args: "-o bind",
                    units: ["nginx.service", "system.slice"],
                    cgroups: [
                        .exact("/system.slice/docker.service"), .prefix("/system.slice/docker.service/"),
                        .regex(#"^/machine\.slice/"#),
                    ],
                    uids: [0, 1000],
                    except: [
                        Subject(executables: [.exact("/usr/bin/mount")]),
                        Subject(units: ["systemd-udevd.service"], uids: [0]),
                    ]))
        #expect(!subject.isEveryone)
    }

    @Test(arguments: [
        Subject(units: ["a.service"]), Subject(cgroups: [.prefix("/")]), Subject(uids: [0]),
        Subject(except: [Subject(uids: [0])]),
    ])
    func anyNewConditionMeansNotEveryone(subject: Subject) {
        #expect(!subject.isEveryone)
        #expect(Subject().isEveryone)
    }

    @Test func rootCgroupIsEveryCgroup() throws {
        let file = Self.rule(subject: "        cgroup: /")
        #expect(file.policies.first?.rules.first?.subject.cgroups == [.prefix("/")])
    }

    @Test func unitWithoutAKnownSuffixListsTheSuffixes() throws {
        let file = Self.rule(subject: "        unit: nginx")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 15))
        #expect(d.field == "spec.rules[0].subject.unit")
        #expect(d.message.contains("'.service', '.scope', '.slice', '.socket', '.mount', '.timer', '.target'"))
    }

    @Test func templateUnitIsAnError() throws {
        let file = Self.rule(subject: "        unit: [a.service, getty@.service]")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 27))
        #expect(d.field == "spec.rules[0].subject.unit[1]")
        #expect(d.message.contains("getty@instance.service"))
    }

    @Test func unitWithASpaceIsAnError() throws {
        let file = Self.rule(subject: "        unit: \"my app.service\"")
        #expect(file.diagnostics.first?.column == 15)
        #expect(file.diagnostics.first?.message.contains("not a systemd unit name") == true)
    }

    @Test func cgroupFilesystemPathIsAnError() throws {
        let file = Self.rule(subject: "        cgroup: /sys/fs/cgroup/system.slice")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 17))
        #expect(d.message.contains("'/system.slice/nginx.service'"))
    }

    @Test(arguments: ["system.slice", "/a//b", "/a/../b"])
    func nonCanonicalCgroupIsAnError(path: String) throws {
        let file = Self.rule(subject: "        cgroup: \(path)")
        let d = try #require(file.diagnostics.first)
        #expect(d.severity == .error)
        #expect((d.line, d.column) == (8, 17))
    }

    @Test(arguments: ["-1", "4294967295", "www-data", "\"1000\"", "1.5"])
    func badUidIsAnError(uid: String) throws {
        let file = Self.rule(subject: "        uid: [0, \(uid)]")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 18))
        #expect(d.field == "spec.rules[0].subject.uid[1]")
        #expect(d.message.contains("0 to 4294967294"))
    }

    @Test func largestUidIsAccepted() {
        let file = Self.rule(subject: "        uid: 4294967294")
        #expect(file.policies.first?.rules.first?.subject.uids == [4_294_967_294])
    }

    @Test func emptyExceptionWouldExcludeEveryone() throws {
        let file = Self.rule(subject: "        except: [{}]")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 18))
        #expect(d.field == "spec.rules[0].subject.except[0]")
        #expect(d.message.contains("exclude every process"))
    }

    @Test func nestedExceptionIsAnError() throws {
        let file = Self.rule(subject: "        except: [{ uid: 0, except: [{ uid: 1 }] }]")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 28))
        #expect(d.field == "spec.rules[0].subject.except[0].except")
    }

    @Test func misspelledSubjectKeyListsTheValidOnes() throws {
        let file = Self.rule(subject: "        units: nginx.service")
        let d = try #require(file.diagnostics.first)
        #expect((d.line, d.column) == (8, 9))
        #expect(d.message.contains("'unit', 'cgroup', 'cgroupRegex', 'uid', 'except'"))
    }

    @Test func badCgroupRegexPointsAtTheOffendingCharacter() throws {
        let file = Self.rule(subject: "        cgroupRegex: \"^/machine.slice/[\"")
        let d = try #require(file.diagnostics.first)
        #expect(d.severity == .error)
        #expect((d.line, d.column) == (8, 39))
        #expect(d.field == "spec.rules[0].subject.cgroupRegex")
    }
}

/// `compile --explain` names each rule's subject: every condition, exceptions included.
@Suite struct SubjectSummaryTests {
    @Test func everyConditionIsNamed() {
        #expect(Subject.everyone.summary == "every process")
        var s = Subject(
            executables: [.exact("/usr/bin/mount")], args: "-o bind", uids: [0, 1000],
            except: [Subject(units: ["ci.service"]), Subject(cgroups: [.prefix("/jobs/")])])
        s.initialUserNamespaceOnly = true
        #expect(
            s.summary
                == "executable /usr/bin/mount and args /-o bind/ and uid 0 | 1000 and in the initial user namespace"
                + " except (unit ci.service; cgroup /jobs/*)")
    }
}

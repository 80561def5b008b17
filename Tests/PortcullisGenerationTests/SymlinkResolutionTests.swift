import Glibc
import PortcullisPolicy
import Testing

@testable import PortcullisGeneration

/// A literal exec path through a symlink gets the canonical path beside it, at
/// every compile: nothing is kept, so a symlink changed since is followed
/// where it now points.
@Suite struct SymlinkResolutionTests {
    static let at = SourceLocation(file: "s.yaml", line: 1, column: 1)

    static func policy(_ paths: [PathPattern], executables: [PathPattern] = []) -> Policy {
        Policy(
            name: "s", source: at, mode: .enforce,
            rules: [
                Rule(operation: .exec(paths: paths, args: nil), subject: Subject(executables: executables), action: .deny, source: at)
            ])
    }

    static func paths(_ policies: [Policy]) -> (exec: [PathPattern], executables: [PathPattern]) {
        guard case .exec(let paths, _, _) = policies[0].rules[0].operation else { return ([], []) }
        return (paths, policies[0].rules[0].subject.executables)
    }

    @Test func aChangedSymlinkIsFollowedAtTheNextResolution() throws {
        let dir = CriticalFilesTests.scratch()
        CriticalFilesTests.write([1], to: dir + "/one")
        CriticalFilesTests.write([2], to: dir + "/two")
        #expect(symlink(dir + "/one", dir + "/link") == 0)
        let policies = [Self.policy([.exact(dir + "/link"), .prefix(dir + "/"), .exact(dir + "/none")], executables: [.exact(dir + "/link")])]

        let first = Self.paths(SymlinkResolution.resolve(policies))
        #expect(first.exec == [.exact(dir + "/link"), .prefix(dir + "/"), .exact(dir + "/none"), .exact(dir + "/one")])
        #expect(first.executables == [.exact(dir + "/link"), .exact(dir + "/one")])

        #expect(unlink(dir + "/link") == 0)
        #expect(symlink(dir + "/two", dir + "/link") == 0)
        let second = Self.paths(SymlinkResolution.resolve(policies))
        #expect(second.exec == [.exact(dir + "/link"), .prefix(dir + "/"), .exact(dir + "/none"), .exact(dir + "/two")])
        #expect(second.executables == [.exact(dir + "/link"), .exact(dir + "/two")])
        // The same as resolving the rule's paths alone.
        #expect(second.exec == SymlinkResolution.resolve(policies[0].rules[0].operation.execPaths))
    }
}

extension Operation {
    var execPaths: [PathPattern] {
        if case .exec(let paths, _, _) = self { return paths }
        return []
    }
}

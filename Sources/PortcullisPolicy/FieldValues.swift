/// The values policies are made of, checked where they are written. Like the other
/// accessors they report what is wrong to the log and return nil.
extension Field {
    /// `true` or `false`.
    func bool() -> Bool? {
        guard let value = node.bool else {
            error("expected true or false")
            return nil
        }
        return value
    }

    /// A path starting with `/`.
    func absolutePath() -> String? {
        guard let path = string() else { return nil }
        guard path.hasPrefix("/") else {
            error("'\(path)' is not an absolute path")
            return nil
        }
        guard !path.contains("\0") else {
            error("a path cannot contain a NUL character")
            return nil
        }
        return path
    }

    /// A SHA-256 digest: 64 hexadecimal digits, as sha256sum prints them.
    func contentDigest() -> ContentDigest? {
        guard let text = string() else { return nil }
        guard let digest = ContentDigest(hex: text) else {
            error("'\(text)' is not a SHA-256 digest: expected 64 hexadecimal digits, as sha256sum prints them")
            return nil
        }
        return digest
    }

    /// A systemd unit name such as `nginx.service` or `system.slice`.
    func unitName(suffixes: [String] = UnitName.suffixes) -> String? {
        guard let name = string() else { return nil }
        guard let suffix = suffixes.first(where: { name.hasSuffix($0) }),
            name.count > suffix.count, name.count <= 255
        else {
            error("'\(name)' is not a systemd unit name; expected a name ending in \(Self.list(suffixes))")
            return nil
        }
        guard name.allSatisfy(UnitName.characters.contains) else {
            error(
                "'\(name)' is not a systemd unit name; use letters, digits and ':', '-', '_', '.', '@', '\\'")
            return nil
        }
        guard !name.hasSuffix("@" + suffix) else {
            error(
                "'\(name)' is a template, which no process runs in; name an instance such as "
                    + "'\(name.dropLast(suffix.count))instance\(suffix)'")
            return nil
        }
        return name
    }

    /// A cgroup v2 path and everything below it: `/system.slice/nginx.service` is that
    /// cgroup (exactly) and the cgroups under it (by the prefix ending in `/`).
    func cgroupSubtree() -> [PathPattern]? {
        guard var path = string() else { return nil }
        if path.hasPrefix("/sys/fs/cgroup") {
            error(
                "'\(path)' is a path in the cgroup filesystem; write it from the root of the "
                    + "hierarchy, e.g. '/system.slice/nginx.service' (as /proc/PID/cgroup shows it)")
            return nil
        }
        guard path.hasPrefix("/") else {
            error("'\(path)' is not an absolute cgroup path such as '/system.slice/nginx.service'")
            return nil
        }
        if path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard path == "/" || !components.contains(where: { ["", ".", ".."].contains($0) }) else {
            error("'\(path)' is not a canonical cgroup path: no empty, '.' or '..' components")
            return nil
        }
        return path == "/" ? [.prefix("/")] : [.exact(path), .prefix(path + "/")]
    }

    /// A user id: a number, since names differ from host to host. (uid_t)-1 is not a uid.
    func uid() -> UInt32? {
        guard let value = node.int, (0...4_294_967_294).contains(value) else {
            let found = node.string.map { "'\($0)' is not a uid; " } ?? ""
            error(
                "\(found)expected a number from 0 to 4294967294 (for a user name, write its "
                    + "number as `id -u NAME` prints it)")
            return nil
        }
        return UInt32(value)
    }

    /// A filesystem type as /proc/filesystems spells it: `ext4`, `tmpfs`, `fuse.sshfs`.
    func fsType() -> String? {
        guard let type = string() else { return nil }
        guard let first = type.first, first.isASCII, first.isLetter || first.isNumber,
            type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        else {
            error(
                "'\(type)' is not a filesystem type; expected a word such as 'tmpfs' or "
                    + "'fuse.sshfs' (write several types as a list)")
            return nil
        }
        return type
    }
}

/// What systemd accepts in unit names (systemd.unit(5)).
enum UnitName {
    static let suffixes = [".service", ".scope", ".slice", ".socket", ".mount", ".timer", ".target"]
    static let characters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.@\\")
}

# Native mount rules: bind mounts onto protected targets are denied (through
# mount(2), through the new mount API: open_tree + move_mount, and by binding
# elsewhere then moving the mount onto the target), so are binds of a protected
# source (both APIs: the new one by the cloned tree's host path), a filesystem
# type is audited, and other mounts go on, new-API ones included (a tmpfs made
# with fsopen/fsmount). An `allow` rule carves an exception out of its own
# policy only.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -p /srv/src /srv/secret /mnt/protected/x /mnt/protected/shared/x /mnt/protected/shared/audited /mnt/free
mkdir -m 0755 policies
cat > policies/mounts.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: protect-mounts }
spec:
  rules:
    - mount:
        targetPrefix: /mnt/protected/
        flags: [bind]
      action: deny
    - mount:
        fstype: ramfs
      action: audit
    - mount:
        source: /srv/secret
        flags: [bind]
      action: deny
    - mount:
        targetPrefix: /mnt/protected/shared/
        flags: [bind]
      action: allow
YAML
cat > policies/watch-shared.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: watch-shared }
spec:
  rules:
    - mount:
        target: /mnt/protected/shared/audited
      action: audit
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"

out=$(mount --bind /srv/src /mnt/protected/x 2>&1) && fail "bind mount onto a protected target succeeded"
echo "denied: mount --bind /srv/src /mnt/protected/x ($out)"
findmnt /mnt/protected/x >/dev/null && fail "/mnt/protected/x is mounted"
expect_ok mount --bind /srv/src /mnt/free
umount /mnt/free
expect_ok mount -t tmpfs none /mnt/protected/x
umount /mnt/protected/x
echo "allowed: a bind mount elsewhere, a tmpfs on the protected target"

expect_ok mount --bind /srv/src /mnt/protected/shared/x
umount /mnt/protected/shared/x
expect_ok mount --bind /srv/src /mnt/protected/shared/audited
umount /mnt/protected/shared/audited
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_HOOK=sb_mount PORTCULLIS_POLICY=watch-shared \
    PORTCULLIS_MOUNT_TARGET=/mnt/protected/shared/audited
has_entry daemon.log MESSAGE_ID="$DECISION_DENY" PORTCULLIS_MOUNT_TARGET~^/mnt/protected/shared/ &&
    fail "a bind mount under the allowed prefix was reported as denied"
echo "allow: bind mounts under /mnt/protected/shared/ pass their own policy; another policy still audits one"

# new_api KIND SOURCE TARGET: open_tree(SOURCE) (KIND clone) or fsopen(SOURCE) + fsmount
# (KIND fs: SOURCE is a filesystem type), then move_mount onto TARGET; exit 0 when mounted.
new_api() {
    python3 - "$@" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, OPEN_TREE_CLONE, MOVE_MOUNT_F_EMPTY_PATH, FSCONFIG_CMD_CREATE = -100, 1, 4, 6
kind, source, target = sys.argv[1:]
if kind == "clone":
    fd = libc.syscall(428, AT_FDCWD, source.encode(), OPEN_TREE_CLONE)
else:
    fs = libc.syscall(430, source.encode(), 0)
    assert fs >= 0, os.strerror(ctypes.get_errno())
    assert libc.syscall(431, fs, FSCONFIG_CMD_CREATE, None, None, 0) == 0, os.strerror(ctypes.get_errno())
    fd = libc.syscall(432, fs, 0, 0)
assert fd >= 0, os.strerror(ctypes.get_errno())
rc = libc.syscall(429, fd, b"", AT_FDCWD, target.encode(), MOVE_MOUNT_F_EMPTY_PATH)
raise SystemExit(0 if rc == 0 else "move_mount: " + os.strerror(ctypes.get_errno()))
PY
}
out=$(new_api clone /srv/src /mnt/protected/x 2>&1) && fail "open_tree + move_mount onto a protected target was allowed"
[[ $out == *"Operation not permitted"* ]] || fail "open_tree + move_mount onto a protected target: $out"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=move_mount PORTCULLIS_MOUNT_TARGET=/mnt/protected/x
echo "denied: open_tree(/srv/src) + move_mount onto /mnt/protected/x (logged as move_mount)"
expect_ok new_api clone /srv/src /mnt/free
umount /mnt/free
echo "allowed: open_tree(/srv/src) + move_mount onto /mnt/free (the new mount API is judged by its target)"

out=$(mount --bind /srv/secret /mnt/free 2>&1) && fail "mount --bind of the protected source succeeded"
out=$(new_api clone /srv/secret /mnt/free 2>&1) && fail "open_tree of the protected source + move_mount succeeded"
findmnt /mnt/free >/dev/null && fail "/mnt/free is mounted"
expect_ok new_api fs tmpfs /mnt/free
umount /mnt/free
echo "denied: binds of /srv/secret through mount(2) and open_tree ($out); allowed: a tmpfs through fsopen + fsmount + move_mount"

expect_ok mount --bind /srv/src /mnt/free
out=$(mount --move /mnt/free /mnt/protected/x 2>&1) && fail "a bind mount moved onto a protected target"
findmnt /mnt/protected/x >/dev/null && fail "/mnt/protected/x is mounted"
umount /mnt/free
echo "denied: mount --bind /srv/src /mnt/free then mount --move onto /mnt/protected/x ($out)"

expect_ok mount -t ramfs none /mnt/free
umount /mnt/free
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_HOOK=sb_mount PORTCULLIS_MOUNT_FSTYPE=ramfs
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount PORTCULLIS_MOUNT_SOURCE=/srv/src \
    PORTCULLIS_MOUNT_TARGET=/mnt/protected/x PORTCULLIS_POLICY=protect-mounts
echo "audit trail: the denied bind mount and the audited ramfs mount"
stop_daemon

# Native mount rules: bind mounts onto protected targets are denied (through
# mount(2), through the new mount API: open_tree + move_mount, and by binding
# elsewhere then moving the mount onto the target), so are binds of a protected
# source (both APIs: the new one by the cloned tree's host paths, each of
# them when the host mounts the source's directory twice), a filesystem
# type is audited, and other mounts go on, new-API ones included (a tmpfs made
# with fsopen/fsmount). An `allow` rule carves an exception out of its own
# policy only.
# A target is judged at each of its host paths: a mount made on a peer of the
# target's mount (shared propagation: a peer of the filesystem, a peer of the
# target directory itself mounted elsewhere, a peer in another mount
# namespace), by mount(2), a move or move_mount, is denied, as is one on a
# directory the host mounts a second time elsewhere (issue 11).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -p /srv/src /srv/secret /mnt/protected/x /mnt/protected/shared/x /mnt/protected/shared/audited /mnt/free
mkdir -p /srv/secret-mirror
mount --bind /srv/secret /srv/secret-mirror
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
    - mount:
        target: /srv/pool/guarded
        flags: [bind]
      action: deny
    - mount:
        target: /srv/twice/sub
        flags: [bind]
      action: deny
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
    python3 -I -S - "$@" <<'PY'
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

# A new-API source is judged at each of its host paths (issue 11): with
# /srv/secret also bound at /srv/secret-mirror in the host's namespace, the
# walk names the cloned tree by the mirror (the entry says so), and the rule
# on /srv/secret still meets it through its other host path. (The mirror is
# bound before the daemon starts: the rule would refuse that bind.)
source_named_by_mirror() {
    if new_api clone /srv/secret /mnt/free 2>/dev/null; then
        umount /mnt/free
        fail "open_tree of /srv/secret + move_mount succeeded with /srv/secret bound at /srv/secret-mirror"
    fi
    daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=move_mount PORTCULLIS_MOUNT_SOURCE=/srv/secret-mirror
}
wait_until 5 source_named_by_mirror
umount /srv/secret-mirror
echo "denied: open_tree of /srv/secret + move_mount with /srv/secret also bound at /srv/secret-mirror (named so); allowed (above): open_tree of /srv/src"

# The new mount API resolves the source before the hook sees it (issue 11): a
# symlink to the protected source, and a /proc/self/fd/N naming it, are the
# source. (mount(2) hands its hook the string: see the bypass table.)
ln -s /srv/secret /srv/secret-link
out=$(new_api clone /srv/secret-link /mnt/free 2>&1) && fail "open_tree of a symlink to /srv/secret + move_mount succeeded"
out=$(exec 9</srv/secret && new_api clone /proc/self/fd/9 /mnt/free 2>&1) &&
    fail "open_tree of /proc/self/fd/N naming /srv/secret + move_mount succeeded"
(exec 9</srv/src && new_api clone /proc/self/fd/9 /mnt/free) || fail "open_tree of /proc/self/fd/N naming /srv/src was refused"
umount /mnt/free
rm /srv/secret-link
echo "denied: open_tree of a symlink to /srv/secret and of /proc/self/fd/N naming it; allowed: of /proc/self/fd/N naming /srv/src"

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

# Propagation. /srv/pool is a shared tmpfs: a mount on any of its peers appears on it too.
mkdir -p /srv/pool /srv/pool-peer /srv/guarded-peer /srv/stage /mnt/nspeer
mount -t tmpfs pool /srv/pool
mount --make-shared /srv/pool
mkdir -p /srv/pool/guarded/in /srv/pool/open
mount -t tmpfs stage /srv/stage
mount --make-private /srv/stage
mkdir /srv/stage/m
# refused CMD...: CMD must fail with EPERM (mount(8) says "permission denied").
refused() {
    local out
    if out=$("$@" 2>&1); then fail "expected EPERM, but it succeeded: $*"; fi
    [[ $out == *"permission denied"* || $out == *"Operation not permitted"* ]] || fail "expected EPERM from: $* ($out)"
}
# mounted DIR: true when DIR is a mount point (the scenario's only evidence of propagation).
mounted() { mountpoint -q "$1"; }
# unmount_all DIR: unmounts what is mounted on DIR (an unmount propagates to the peers' copies).
unmount_all() { while mounted "$1"; do umount "$1"; done; }
# named_by_table PATH: true once a ramfs mount on PATH is reported at PATH, so the daemon's
# host mount table holds the mount that names it (an audited ramfs mount is the probe).
named_by_table() {
    mount -t ramfs none "$1" && umount "$1"
    has_entry daemon.log MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_MOUNT_FSTYPE=ramfs PORTCULLIS_MOUNT_TARGET="$1"
}

# A peer of the whole filesystem: the same directory, the same host path.
mount --bind /srv/pool /srv/pool-peer
wait_until 5 named_by_table /srv/pool/open
refused mount --bind /srv/src /srv/pool-peer/guarded
mounted /srv/pool/guarded && fail "a bind mount on a peer of /srv/pool reached /srv/pool/guarded"
expect_ok mount --bind /srv/src /srv/pool-peer/open
mounted /srv/pool/open || fail "the control bind mount on the peer did not propagate to /srv/pool/open"
unmount_all /srv/pool/open
echo "denied: mount --bind onto /srv/pool-peer/guarded (a peer of /srv/pool); allowed: onto /srv/pool-peer/open, seen at /srv/pool/open"

# A peer of the guarded directory itself, mounted elsewhere as well: its root has
# three host paths (/srv/guarded-peer, /srv/pool/guarded, /srv/pool-peer/guarded),
# and the target condition is judged at each (before, more than two failed
# closed: the bind onto /srv/guarded-peer/in below was denied too).
mount --bind /srv/pool/guarded /srv/guarded-peer
wait_until 5 named_by_table /srv/guarded-peer/in
refused mount --bind /srv/src /srv/guarded-peer
mounted /srv/pool/guarded && fail "a bind mount on /srv/guarded-peer reached /srv/pool/guarded"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount PORTCULLIS_MOUNT_TARGET=/srv/guarded-peer
expect_ok mount --bind /srv/src /srv/guarded-peer/in
mounted /srv/pool/guarded/in || fail "the control bind onto /srv/guarded-peer/in did not propagate to /srv/pool/guarded/in"
unmount_all /srv/pool/guarded/in
expect_ok mount -t tmpfs none /srv/guarded-peer/in
unmount_all /srv/pool/guarded/in
echo "denied: with /srv/pool mounted at /srv/pool-peer and its guarded directory at /srv/guarded-peer (three host paths), a bind onto /srv/guarded-peer; allowed: a bind and a tmpfs onto /srv/guarded-peer/in"

# With the whole peer gone, two host paths: the target condition is judged at both.
umount /srv/pool-peer
bind_in() { mount --bind /srv/src /srv/guarded-peer/in 2>/dev/null && umount /srv/guarded-peer/in; }
wait_until 5 bind_in
refused mount --bind /srv/src /srv/guarded-peer
mounted /srv/pool/guarded && fail "a bind mount on /srv/guarded-peer propagated to /srv/pool/guarded"
refused mount --bind /srv/src /srv/pool/guarded
mounted /srv/pool/guarded && fail "/srv/pool/guarded was bind-mounted while a peer of it is mounted elsewhere"
expect_ok mount --bind /srv/src /srv/stage/m
refused mount --move /srv/stage/m /srv/guarded-peer
umount /srv/stage/m
out=$(new_api clone /srv/src /srv/guarded-peer 2>&1) && fail "open_tree + move_mount onto a peer of the guarded directory was allowed"
[[ $out == *"Operation not permitted"* ]] || fail "open_tree + move_mount onto /srv/guarded-peer: $out"
mounted /srv/pool/guarded && fail "a mount moved onto /srv/guarded-peer reached /srv/pool/guarded"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=move_mount PORTCULLIS_MOUNT_TARGET=/srv/guarded-peer
expect_ok mount -t tmpfs none /srv/guarded-peer
mounted /srv/pool/guarded || fail "the control tmpfs on /srv/guarded-peer did not propagate to /srv/pool/guarded"
unmount_all /srv/pool/guarded
expect_ok mount --bind /srv/src /srv/pool/open
unmount_all /srv/pool/open
echo "denied: with /srv/pool/guarded bound at /srv/guarded-peer (a peer), binds onto /srv/guarded-peer (mount(2), --move, move_mount) and onto /srv/pool/guarded; allowed: binds onto /srv/guarded-peer/in and /srv/pool/open, a tmpfs on /srv/guarded-peer"
umount /srv/guarded-peer

# A peer made in another mount namespace (its mounts are not the host's).
refused unshare -m --propagation shared sh -c \
    'mount --bind /srv/pool/guarded /mnt/nspeer && mount --bind /srv/src /mnt/nspeer'
mounted /srv/pool/guarded && fail "a bind mount on a peer in another mount namespace reached /srv/pool/guarded"
expect_ok unshare -m --propagation shared sh -c 'mount --bind /srv/pool/open /mnt/nspeer && mount --bind /srv/src /mnt/nspeer'
mounted /srv/pool/open || fail "the control bind mount in another mount namespace did not propagate to /srv/pool/open"
unmount_all /srv/pool/open
echo "denied: a bind onto a peer of /srv/pool/guarded made in another mount namespace; allowed: the same onto a peer of /srv/pool/open"

# One directory mounted twice in the host's namespace, not a peer: the rule sees both host paths.
mkdir -p /srv/twice/sub /srv/twice/other /backup/twice
mount --bind /srv/twice /backup/twice
mount --make-private /backup/twice
wait_until 5 named_by_table /backup/twice/other
refused mount --bind /srv/src /srv/twice/sub
mounted /srv/twice/sub && fail "/srv/twice/sub was bind-mounted while /srv/twice is mounted at /backup/twice too"
refused mount --bind /srv/src /backup/twice/sub
expect_ok mount --bind /srv/src /srv/twice/other
umount /srv/twice/other
echo "denied: with /srv/twice bound at /backup/twice, binds onto /srv/twice/sub and /backup/twice/sub; allowed: onto /srv/twice/other"
umount /backup/twice

# More host paths than the table stores (PC_HOST_ALIASES_MAX, 4): which one a
# target rule means cannot be told, so the target is unknown there. A bind
# anywhere in /srv/twice is then refused by the target rules, even where no
# rule names the path (fail closed, logged so); a tmpfs there (the rules are
# on binds) and a bind elsewhere are not. With the binds gone, as before.
bind_refused() { if mount --bind /srv/src "$1" 2>/dev/null; then umount "$1"; return 1; fi; }
bind_allowed() { mount --bind /srv/src "$1" 2>/dev/null && umount "$1"; }
for k in 1 2 3 4 5; do
    mkdir -p /backup/many/$k
    mount --bind /srv/twice /backup/many/$k
    mount --make-private /backup/many/$k
done
wait_until 5 bind_refused /srv/twice/other
refused mount --bind /srv/src /backup/many/3/other
refused mount --bind /srv/src /backup/many/3/sub
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount PORTCULLIS_UNKNOWN=path
expect_ok mount -t tmpfs none /backup/many/3/other
umount /backup/many/3/other
expect_ok mount --bind /srv/src /mnt/free
umount /mnt/free
for k in 1 2 3 4 5; do umount /backup/many/$k; done
wait_until 5 bind_allowed /srv/twice/other
echo "with /srv/twice at 6 host paths, more than the table stores: binds onto /srv/twice/other and /backup/many/3/{sub,other} denied as on an unknown target (fail closed); allowed: a tmpfs there, a bind onto /mnt/free, and /srv/twice/other again once the binds are gone"
umount /srv/pool /srv/stage
stop_daemon

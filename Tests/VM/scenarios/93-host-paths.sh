# Paths do not depend on the caller's view (issue 11): the path a rule sees is
# the file's path on its filesystem placed under where the host mounted that
# filesystem, so none of these lifts `pathPrefix: /srv/untrusted/`:
# - chroot /srv/untrusted /true, as root, and unprivileged through unshare -r;
# - a bind mount of /srv/untrusted elsewhere in a private mount namespace;
# - a detached tree (open_tree OPEN_TREE_CLONE) reached through its descriptor;
# and a program at /usr/lib/systemd/ inside a chroot is not excepted as one of
# the host's. A file on a filesystem the host has not mounted (a
# private tmpfs, a lazily unmounted one reached through a kept descriptor) has
# no host path: `exec: { anonymous: true }` names it. A file the host itself
# shows at several paths (bind mounts in the host's namespace) meets a rule
# that names any of them; one under a
# directory the host shows at more paths than the table stores is denied
# (fail closed). Controls: the same ways
# run a program outside /srv/untrusted. (The anonymous rule names uid 1000 only:
# the harness runs outside the scenario's mount namespace, whose mounts are the
# daemon's host, so to the rules the harness's own programs have no path.)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

U=1000
as_user() { setpriv --reuid $U --regid $U --clear-groups -- "$@"; }
BB=/usr/bin/busybox # static: it runs inside a chroot with nothing else
chmod 1777 . # the user reads the scripts here and marks its progress (sticky: the policy directory in it stays root's, which the daemon checks)
mkdir -p /srv/untrusted /srv/other /srv/untrusted/usr/lib/systemd /usr/lib/systemd
cp $BB /srv/untrusted/true # busybox runs the applet its name says
cp $BB /srv/other/true
cp /usr/bin/true /srv/untrusted/dyn-true # a dynamic program, for the loader (busybox is static)
cp /usr/bin/true /srv/other/dyn-true
cp $BB /srv/untrusted/usr/lib/systemd/date # busybox's date, at an excepted path in the chroot
cp $BB /usr/lib/systemd/date               # and on the host
chmod -R a+rX /srv/untrusted /srv/other
cleanup() {
    umount -l /srv/lazy 2>/dev/null || true
    for m in /srv/mirror /srv/mirror2 /srv/other-mirror /srv/other-many/*; do umount "$m" 2>/dev/null || true; done
    umount /srv/tools-mirror 2>/dev/null || true
    rm -rf /srv/untrusted /srv/other /srv/lazy /srv/mirror /srv/mirror2 /srv/other-mirror /srv/other-many /usr/lib/systemd/date \
        /srv/tools /srv/tools-mirror /srv/plain
}
on_fail() { cleanup; }

# open_tree(OPEN_TREE_CLONE) of a directory, then exec of PROGRAM through the
# detached tree's descriptor; exit status: the exec's errno, 0 if it ran.
cat > detached.py <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
OPEN_TREE_CLONE, AT_FDCWD = 1, -100
fd = libc.syscall(428, AT_FDCWD, sys.argv[1].encode(), OPEN_TREE_CLONE)
if fd < 0:
    sys.exit("open_tree: " + os.strerror(ctypes.get_errno()))
pid = os.fork()
if pid == 0:
    try:
        os.execv("/proc/self/fd/%d/%s" % (fd, sys.argv[2]), ["true"])
    except OSError as e:
        os._exit(e.errno)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY

mkdir -m 0755 policies
cat > policies/paths.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: host-paths }
spec:
  rules:
    - exec: { pathPrefix: /srv/untrusted/ }
      action: deny
    - exec: { anonymous: true }
      subject: { uid: 1000 }
      action: deny
    - capability: [CAP_SYS_TIME]
      subject:
        except: [{ pathPrefix: /usr/lib/systemd/ }]
      action: deny
    - capability: [CAP_CHOWN]
      subject: { pathPrefix: /srv/tools/ }
      action: deny
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

# Plain paths, and the controls.
expect_eperm /srv/untrusted/true
expect_ok /srv/other/true
expect_ok chroot /srv/other /true
expect_ok as_user unshare -r chroot /srv/other /true
echo "control: /srv/other/true runs, directly and in a chroot (root, and uid $U in its own user namespace)"

# Attack: a program deeper or longer than the walk reads (PC_HOST_DEPTH_MAX, 256
# components; PC_HOST_SUFFIX_MAX, 2,048 bytes of names below the mount): its host
# path cannot be read, so while exec rules exist it is denied (fail closed), never
# taken for a path no rule names. The user makes the directories in its own
# space. Control: 10 deep, it runs.
deep=$(printf 'd/%.0s' {1..300})
long=$(for i in {1..12}; do printf '%0200d/' "$i"; done)
shallow=$(printf 'd/%.0s' {1..10})
for dir in "deep/$deep" "long/$long" "deep/$shallow"; do
    as_user mkdir -p "$dir"
    as_user cp /srv/other/true "$dir/true"
done
expect_eperm as_user "./deep/$deep/true"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_UNKNOWN=path PORTCULLIS_UID=$U
expect_eperm as_user "./long/$long/true"
# As root too, whom the anonymous rule does not name: denied as unreadable, not as pathless.
expect_eperm "./deep/$deep/true"
expect_eperm "./long/$long/true"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_UNKNOWN=path PORTCULLIS_UID=0
expect_ok as_user "./deep/$shallow/true"
rm -rf deep long
echo "a program 300 directories deep, or under 2,412 bytes of names: denied (uid $U and root), logged as unreadable; 10 deep: runs"

# chroot, as root and unprivileged: the program's host path is still /srv/untrusted/true.
expect_eperm chroot /srv/untrusted /true
expect_eperm as_user unshare -r chroot /srv/untrusted /true
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/srv/untrusted/true PORTCULLIS_UID=$U
echo "chroot /srv/untrusted /true: denied as root and as uid $U, logged as /srv/untrusted/true"

# A bind mount in a private mount namespace.
expect_eperm as_user unshare -rm sh -c 'mount --bind /srv/untrusted /mnt && exec /mnt/true'
expect_ok as_user unshare -rm sh -c 'mount --bind /srv/other /mnt && exec /mnt/true'
echo "a bind mount of /srv/untrusted in a private mount namespace: denied; of /srv/other: runs"

# A detached tree.
status=0; as_user unshare -rm python3 -I -S detached.py /srv/untrusted true || status=$?
((status == 1)) || fail "exec through a detached tree of /srv/untrusted: status $status, expected 1 (EPERM)"
expect_ok as_user unshare -rm python3 -I -S detached.py /srv/other true
echo "a detached tree of /srv/untrusted: denied; of /srv/other: runs"

# The excepted path inside a chroot is not the excepted program: setting the clock
# (CAP_SYS_TIME, to the time it is) is denied to all but programs in /usr/lib/systemd/.
now=$(date '+%Y-%m-%d %H:%M:%S')
expect_ok /usr/lib/systemd/date -s "$now" >/dev/null
expect_eperm chroot /srv/untrusted /usr/lib/systemd/date -s "$now"
echo "/usr/lib/systemd/date may set the clock; the same program at /usr/lib/systemd/date inside a chroot may not"

# A private tmpfs: no host path.
expect_eperm as_user unshare -rm sh -c 'mount -t tmpfs none /mnt && cp /srv/other/true /mnt/true && exec /mnt/true'
# A lazily unmounted tmpfs, reached by the user through a descriptor it kept.
mkdir -p /srv/lazy
mount -t tmpfs -o mode=0755 none /srv/lazy
cp $BB /srv/lazy/true
expect_ok as_user /srv/lazy/true
rm -f go opened
as_user sh -c 'exec 7</srv/lazy; touch opened; while [ ! -e go ]; do sleep 0.1; done; exec /proc/self/fd/7/true' &
user=$!
wait_until 10 test -e opened
umount -l /srv/lazy
sleep 1 # the daemon rereads the mount table on the kernel's EPOLLPRI: well within a second
touch go
status=0; wait $user || status=$?
((status == 126)) || fail "exec from a lazily unmounted tmpfs: status $status, expected 126 (EPERM)"
echo "a private tmpfs and a lazily unmounted one: no host path, denied to uid $U by anonymous: true"

# Bind mounts in the host's own namespace (the daemon's): the file is at each
# path. Before this, the walk named only the bind mount's path, and
# /srv/mirror/true ran though it is /srv/untrusted/true.
mkdir -p /srv/mirror /srv/mirror2 /srv/other-mirror
mount --bind /srv/untrusted /srv/mirror
# Until the daemon's table has the bind mount, the file reads as /srv/untrusted/true;
# once it has, as /srv/mirror/true, and only its other host path meets the rule.
mirror_named() {
    as_user /srv/mirror/true 2>/dev/null && fail "/srv/mirror/true ran: the rule was dodged through the bind mount"
    daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/srv/mirror/true PORTCULLIS_UID=$U
}
wait_until 10 mirror_named
expect_eperm as_user /srv/mirror/true
expect_eperm as_user /srv/untrusted/true
mount --bind /srv/untrusted /srv/mirror2 # two other host paths now
mount --bind /srv/other /srv/other-mirror
other_mirrored() { as_user /srv/other-mirror/true; }
wait_until 5 other_mirrored
expect_eperm as_user /srv/mirror2/true
expect_eperm as_user /srv/mirror/true
expect_eperm as_user /srv/untrusted/true
expect_ok as_user /srv/other-mirror/true
expect_ok as_user /srv/other/true
echo "bind mounts of /srv/untrusted at /srv/mirror and /srv/mirror2 on the host: its programs are denied at every path; /srv/other's bound at /srv/other-mirror run"
# The loader trick at each host path: ld.so maps the program, and the mapping
# hook meets the rule at every path the exec hook does.
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
for p in /srv/mirror /srv/mirror2; do
    out=$(as_user "$loader" $p/dyn-true 2>&1) && fail "the loader ran $p/dyn-true"
    [[ $out == *"failed to map segment"* ]] || fail "loader trick through $p: expected a refused mapping, got: $out"
done
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=mmap_file PORTCULLIS_UID=$U
expect_ok as_user "$loader" /srv/other-mirror/dyn-true
echo "$loader of /srv/untrusted's dynamic program through /srv/mirror and /srv/mirror2: the mapping is refused; of /srv/other-mirror's: runs"
# More host paths than the table stores (PC_HOST_ALIASES_MAX, 4): which one a rule
# might name cannot be told, so its programs are denied while exec rules exist.
for k in 1 2 3 4 5; do mkdir -p /srv/other-many/$k; mount --bind /srv/other /srv/other-many/$k; done
many_denied() { ! as_user /srv/other/true 2>/dev/null; }
wait_until 5 many_denied
expect_eperm as_user /srv/other-many/3/true
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_UNKNOWN=path PORTCULLIS_UID=$U
for k in 1 2 3 4 5; do umount /srv/other-many/$k; done
wait_until 5 other_mirrored
expect_ok as_user /srv/other/true
echo "/srv/other at 6 host paths: its programs denied, logged as unreadable (fail closed); with the binds gone, they run again"

# A subject by executable path, for a program the host shows at two paths: the
# task's record keeps one (the table's first, /srv/tools-mirror/chown), and a
# condition on the other is unknown, so the deny scoped to /srv/tools/ applies
# (before, the program ran as /srv/tools-mirror/chown and was not that subject).
mkdir -p /srv/tools /srv/tools-mirror /srv/plain
cp $BB /srv/tools/chown
cp $BB /srv/plain/chown
touch owned
expect_eperm /srv/tools/chown 1000 owned
mount --bind /srv/tools /srv/tools-mirror
chown_denied_as_mirror() {
    if /srv/tools/chown 1000 owned 2>/dev/null; then fail "/srv/tools/chown could chown: the subject condition was dodged"; fi
    daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_CHOWN PORTCULLIS_EXE=/srv/tools-mirror/chown PORTCULLIS_UNKNOWN=condition
}
wait_until 10 chown_denied_as_mirror
expect_eperm /srv/tools-mirror/chown 1000 owned
expect_ok /srv/plain/chown 1000 owned
[[ $(stat -c %u owned) == 1000 ]] || fail "the control's chown did not take"
umount /srv/tools-mirror
echo "/srv/tools bound at /srv/tools-mirror: its chown is still the subject of the deny (logged as an unknown condition); /srv/plain/chown may chown"

stop_daemon
cleanup

# Programs with no path on the host (issue 11): an unprivileged user runs the
# bytes of a program denied by path through memfd_create + fexecve, through an
# O_TMPFILE file, or through a file it deleted after opening. Path rules never
# match such a program (its path is empty to the rules); `exec: { anonymous:
# true }` does, so "no exec from /tmp" can also mean "nor from memory". The
# loader trick on a memfd (ld.so /proc/self/fd/N) meets the same rule. Controls:
# the same user runs programs that have a path; root, whom the rule does not
# name, runs from a memfd.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

U=1000
as_user() { setpriv --reuid $U --regid $U --clear-groups -- "$@"; }
WORK=$(mktemp -d /tmp/pcanon.XXXXXX)
SHM=$(mktemp -d /dev/shm/pcanon.XXXXXX) # tmpfs: O_TMPFILE (the root overlay may not support it)
chmod 0777 "$WORK" "$SHM"
cp /usr/bin/true "$WORK/tool"
chmod 0755 "$WORK/tool"

# run_from KIND: runs /usr/bin/true's bytes from a file of KIND (memfd, tmpfile,
# deleted) by its descriptor; exits with the exec's errno (1 for EPERM), 0 if it ran.
cat > "$WORK/run_from.py" <<'PY'
import os, sys
kind, work = sys.argv[1], sys.argv[2]
data = open("/usr/bin/true", "rb").read()
if kind == "memfd":
    fd = os.memfd_create("tool", 0)
elif kind == "tmpfile":
    fd = os.open(work, os.O_TMPFILE | os.O_RDWR, 0o755)
else:
    path = os.path.join(work, "doomed-%d" % os.getpid())
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o755)
os.write(fd, data)
os.fchmod(fd, 0o755)
# exec refuses a file still open for writing (ETXTBSY): reopen it read-only, close the writer
ro = os.open("/proc/self/fd/%d" % fd, os.O_RDONLY)
os.close(fd)
if kind == "deleted":
    os.unlink(path)
pid = os.fork()
if pid == 0:
    try:
        os.execve(ro, ["tool"], {})
    except OSError as e:
        os._exit(e.errno)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
PY
chmod 0644 "$WORK/run_from.py"

# Control, before any policy: every way runs.
for kind in memfd tmpfile deleted; do
    expect_ok as_user python3 "$WORK/run_from.py" $kind "$SHM"
done

mkdir -m 0755 policies
cat > policies/anon.yaml <<YAML
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-exec-from-tmp-or-memory }
spec:
  rules:
    - exec: { pathPrefix: $WORK/, anonymous: true }
      subject: { uid: $U }
      action: deny
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

# The path rule: the copy in the work directory is denied, a program elsewhere runs.
expect_eperm as_user "$WORK/tool"
expect_ok as_user /usr/bin/true
# No path: each is denied (exit status 1: EPERM from execve).
for kind in memfd tmpfile deleted; do
    status=0
    as_user python3 "$WORK/run_from.py" $kind "$SHM" || status=$?
    ((status == 1)) || fail "uid $U ran a program from a $kind file: exit status $status, expected 1 (EPERM)"
done
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH~'^/memfd:tool'
echo "uid $U: a program's bytes from a memfd, an O_TMPFILE file or a deleted file are denied, and logged with the kernel's name for them"
# The loader trick on a memfd: ld.so maps it executable.
LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2)
cat > "$WORK/ldso.py" <<'PY'
import os, sys
fd = os.memfd_create("tool", 0)
os.write(fd, open("/usr/bin/true", "rb").read())
os.execv(sys.argv[1], [sys.argv[1], "/proc/self/fd/%d" % fd])
PY
status=0
as_user python3 "$WORK/ldso.py" "$LDSO" 2>ldso.err || status=$?
((status != 0)) || fail "ld.so ran a memfd's program for uid $U"
echo "the loader trick on a memfd fails (status $status: $(head -c 200 ldso.err))"
# Control: root is not named by the rule.
expect_ok python3 "$WORK/run_from.py" memfd "$SHM"
echo "root runs from a memfd"
stop_daemon
rm -rf "$WORK" "$SHM"

# Task records only while an image needs them (issue 10): with subject
# conditions in force, a process that execs gets a record (pc_tasks); once no
# rule has any, forks and execs make none (and an exec drops its own), so the
# per-task cost is nothing. A process started then, and its forked child, are
# seeded from /proc when a policy with subject conditions comes: an args-scoped
# capability deny holds for them at once, and not for a process with other
# arguments.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
pins=/sys/fs/bpf/portcullis/abi-10
mkdir -m 0755 policies
subject_policy() { # a subject with an executable condition: records needed
    cat <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: nobody-chowns-with-ghost }
spec:
  rules:
    - capability: [CAP_CHOWN]
      subject: { path: /usr/local/bin/ghost-tool }
      action: deny
YAML
}
subject_policy > policies/subjects.yaml
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"

cp "$VM_TESTS/chown-probe.py" probe.py
touch target target-other recorded.log late.log other.log
chown 1234:1234 target target-other
on_fail() { touch stop-probes; }

# Exec'd while a rule has a subject condition: recorded.
python3 probe.py recorded-probe target recorded.log &
RECORDED=$!

# No subject condition left: exec rules only. Records are neither made nor copied.
exec_deny_policy forbidden-tool > policies/subjects.yaml
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_POLICIES=no-forbidden-tool
expect_eperm /usr/local/bin/forbidden-tool
python3 probe.py late-probe target late.log fork &
LATE=$!
python3 probe.py other-probe target-other other.log &
OTHER=$!
lines() { wc -l < "$1" 2>/dev/null || echo 0; }
grew() { (( $(lines "$1") > $2 )); }
wait_until 10 grew late.log 5
wait_until 10 grew late.log.child 5
LATE_CHILD=$(pgrep -P "$LATE" python3)
[[ $(sort -u late.log late.log.child) == ok ]] || fail "the late probe was denied before any rule named it"
echo "exec rules only: the probes run (late probe $LATE, its forked child $LATE_CHILD)"

# Which processes have a record, read from the pinned map with the daemon stopped
# (the guardian post is vacant then; this reader holds it until it exits).
stop_daemon
records() { # records PID...: "PID:yes" or "PID:no" for each
    python3 - "$pins/maps/pc_tasks" "$@" <<'PY'
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_bpf, SYS_pidfd_open = 321, 434
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("QII", ctypes.addressof(path), 0, 0), 128)
import time
for _ in range(50):  # the stopped daemon holds the guardian post until the kernel frees it
    map_fd = libc.syscall(SYS_bpf, 7, attr, 128)  # BPF_OBJ_GET
    if map_fd >= 0 or ctypes.get_errno() != 1:
        break
    time.sleep(0.1)
if map_fd < 0:
    sys.exit(f"opening pc_tasks: errno {ctypes.get_errno()}")
out = []
for pid in map(int, sys.argv[2:]):
    pidfd = libc.syscall(SYS_pidfd_open, pid, 0)
    if pidfd < 0:
        sys.exit(f"pidfd_open({pid}): errno {ctypes.get_errno()}")
    key = ctypes.c_int(pidfd)
    value = ctypes.create_string_buffer(8192)
    attr = ctypes.create_string_buffer(
        struct.pack("I4xQQQ", map_fd, ctypes.addressof(key), ctypes.addressof(value), 0), 128)
    found = libc.syscall(SYS_bpf, 1, attr, 128) == 0  # BPF_MAP_LOOKUP_ELEM
    if not found and ctypes.get_errno() != 2:
        sys.exit(f"looking up {pid}: errno {ctypes.get_errno()}")
    os.close(pidfd)
    out.append(f"{pid}:{'yes' if found else 'no'}")
print(" ".join(out))
PY
}
got=$(records "$RECORDED" "$LATE" "$LATE_CHILD" "$OTHER")
echo "task records: $got"
[[ $got == "$RECORDED:yes $LATE:no $LATE_CHILD:no $OTHER:no" ]] ||
    fail "expected a record for the probe exec'd under subject conditions only, got: $got"
echo "a record for the probe exec'd while a subject condition was in force; none for those exec'd or forked after"

# A subject condition again, on the arguments: the late probe and its child are
# seeded from /proc and denied at once; the other probe is not concerned.
mv daemon.log daemon-1.log
cat > policies/subjects.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: late-probe-no-chown }
spec:
  rules:
    - capability: [CAP_CHOWN]
      subject: { argsRegex: "^probe\\.py late-probe " }
      action: deny
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"
last_is() { [[ $(tail -n 1 "$1") == "$2" ]]; }
wait_until 5 last_is late.log eperm
wait_until 5 last_is late.log.child eperm
before=$(lines other.log)
wait_until 10 grew other.log $((before + 5))
[[ $(tail -n 5 other.log | sort -u) == ok ]] || fail "the other probe was denied"
echo "subject conditions again: the late probe and its forked child are denied; the other probe is not"
touch stop-probes
wait "$RECORDED" "$LATE" "$OTHER"
stop_daemon

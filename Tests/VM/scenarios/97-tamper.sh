# Tamper protection, unlocked (issue 12): while the daemon runs, only it gets
# a descriptor that can change our maps, so bpftool's delete and update are
# refused and logged with who tried; nobody may ptrace the daemon, open its
# memory or take its descriptors; a link cannot be detached; pins removed or
# replaced are put back within a second and logged; status reports it all; the
# daemon's own updates (a new generation, hit counters) keep working; disarm
# refuses while the daemon runs.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
unique_program later-tool /usr/local/bin/later-tool
mkdir -m 0755 policies
exec_deny_policy forbidden-tool > policies/forbidden.yaml
pins=/sys/fs/bpf/portcullis/abi-10

start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))
daemon_logged MESSAGE_ID="$GUARDIAN_CLAIMED" PORTCULLIS_TGID="$DAEMON_PID" ||
    wait_until 5 daemon_logged MESSAGE_ID="$GUARDIAN_CLAIMED" PORTCULLIS_TGID="$DAEMON_PID"
expect_eperm /usr/local/bin/forbidden-tool
echo "the daemon (pid $DAEMON_PID) holds the guardian post; forbidden-tool is denied"

# The attack of the issue: delete the policy slot (every rule off), as root.
expect_eperm bpftool map delete pinned $pins/maps/pc_image key 0 0 0 0
expect_eperm bpftool map update pinned $pins/maps/pc_meta key 0 0 0 0 value 0 0 0 0 0 0 0 0
# Clearing the summary would let pc_capable allow every capability unread, and stop task records.
expect_eperm bpftool map update pinned $pins/maps/pc_summary key 0 0 0 0 value 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
# Clearing the mount table's filter would make the host-path walk skip every
# mount: no file would have a host path, and no path rule would meet it.
expect_eperm bpftool map update pinned $pins/maps/pc_host_filter key 0 0 0 0 value $(printf '0 %.0s' {1..8192})
# The maps our programs write or decide by refuse even a read-only descriptor:
# a program loaded with one could write them.
for map in pc_tasks pc_host_filter; do
    python3 - "$pins/maps/$map" <<'PY' || fail "a read-only descriptor for $map was given"
import ctypes, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("QII", ctypes.addressof(path), 0, 1 << 3), 128)
fd = libc.syscall(321, 7, attr, 128)  # BPF_OBJ_GET, BPF_F_RDONLY
sys.exit(0 if fd < 0 and ctypes.get_errno() == 1 else 1)
PY
done
expect_eperm /usr/local/bin/forbidden-tool
wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER=map PORTCULLIS_COMM=bpftool \
    PORTCULLIS_TAMPER_OBJECT="a writable descriptor for map pc_image"
wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER_OBJECT~"read-only descriptor for map pc_tasks"
wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER_OBJECT~"descriptor for map pc_host_filter"
echo "map delete and update refused and logged (who: bpftool); pc_tasks and pc_host_filter refuse even reading; still denied"

# Reading stays open: the programs, the links, status, and the maps that may be read.
[[ $(bpftool prog show | grep -c " name pc_") -ge 17 ]] || fail "bpftool prog show: $(bpftool prog show)"
bpftool link show | grep -q " prog [0-9]" || fail "bpftool link show listed nothing"
"$VM_TESTS/bpf-map-names" | grep -qx pc_image || fail "pc_image cannot be read"
"$PORTCULLIS" status >status.out || fail "status: $(cat status.out)"
echo "bpftool prog show, link show and portcullis status read as before"

# ptrace, /proc/PID/mem and pidfd_getfd would give the daemon's descriptors or memory.
python3 - "$DAEMON_PID" <<'PY' || fail "the daemon could be reached"
import ctypes, errno, os, sys
pid = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
    sys.exit("ptrace attached")
assert ctypes.get_errno() == errno.EPERM, ctypes.get_errno()
try:
    open(f"/proc/{pid}/mem", "rb").close()
    sys.exit("/proc/PID/mem opened")
except PermissionError:
    pass
pidfd = libc.syscall(434, pid, 0)  # pidfd_open
assert pidfd >= 0
for fd in range(3, 64):
    if libc.syscall(438, pidfd, fd, 0) >= 0:  # pidfd_getfd
        sys.exit(f"pidfd_getfd took descriptor {fd}")
    assert ctypes.get_errno() in (errno.EPERM, errno.EBADF), ctypes.get_errno()
PY
wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER=ptrace PORTCULLIS_COMM=python3
echo "ptrace, /proc/PID/mem and pidfd_getfd refused and logged"

# A tracing link has no detach: our links stay.
bpftool link detach pinned $pins/links/pc_exec 2>/dev/null && fail "bpftool detached the link of pc_exec"
expect_eperm /usr/local/bin/forbidden-tool
echo "link detach does nothing to our links"

# Pins removed, one pin replaced by another map: put back within a second.
rm -rf /sys/fs/bpf/portcullis 2>/dev/null || true # the daemon may pin again while rm still runs
expect_eperm /usr/local/bin/forbidden-tool # the daemon's descriptors keep the links attached
all_pinned() {
    [[ -e $pins/maps/pc_image && -e $pins/maps/pc_guard && -e $pins/links/pc_exec && -e $pins/links/pc_guard_map ]]
}
wait_until 2 all_pinned
wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REPAIRED" PORTCULLIS_FOUND~"abi-10/links/pc_exec was missing: pinned again"
bpftool map create /sys/fs/bpf/impostor type array key 4 value 8 entries 1 name impostor
mv -T /sys/fs/bpf/impostor $pins/maps/pc_meta # renamed over ours in one step
wait_until 2 daemon_logged MESSAGE_ID="$TAMPER_REPAIRED" PORTCULLIS_FOUND~"pc_meta held another object"
[[ $("$VM_TESTS/bpf-map-names" | grep -c '^impostor$') == 0 ]] || fail "the impostor map is still pinned"
expect_eperm /usr/local/bin/forbidden-tool
echo "removed and replaced pins put back and logged; never a gap"

# status says so.
"$PORTCULLIS" status --json >status.json
python3 - status.json <<'PY' || fail "status: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["tampering"]
assert t["refused"] >= 4 and t["repaired"] >= 2, t
assert s["enforcing"] and s["daemonRunning"] and not s["locked"], s
PY
"$PORTCULLIS" status | grep -q "^TAMPERING since the daemon started" || fail "status text: $("$PORTCULLIS" status)"
echo "status reports the tampering"

# The daemon's own work goes on: a new generation, counters.
g=$(last_generation)
exec_deny_policy later-tool > policies/later.yaml
wait_until 10 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((g + 1))
expect_eperm /usr/local/bin/later-tool
"$PORTCULLIS" status --json >status.json
python3 - status.json <<'PY' || fail "hits: $(cat status.json)"
import json, sys
hits = {r["operation"]: r["hits"] for r in json.load(open(sys.argv[1]))["rules"]}
assert hits["exec /usr/local/bin/forbidden-tool"] >= 5 and hits["exec /usr/local/bin/later-tool"] >= 1, hits
PY
echo "a new generation applies under protection; hit counters count"

"$PORTCULLIS" disarm >disarm.out && fail "disarm succeeded while the daemon runs"
grep -q "is running" disarm.out || fail "disarm did not say why: $(cat disarm.out)"
[[ -e $pins/links/pc_exec ]] || fail "disarm removed pins while refusing"
echo "disarm refuses while the daemon runs"
stop_daemon

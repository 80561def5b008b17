# vm: fresh-boot (a locked host stays locked until reboot: nothing may run after it)
# Tamper protection, locked (`run --lock`, issue 12): once the first generation
# is in force, pins cannot be removed or renamed, their bpffs and the mounts
# above it cannot be unmounted, the daemon cannot be signalled, ptraced or read,
# our maps cannot be written, disarm is refused, a second daemon (another
# build) cannot take over, and a new generation that would weaken enforcement
# (a file removed, an allow added) is refused and logged while a stronger one
# applies. Every refusal is logged with who tried.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

for tool in forbidden-tool later-tool; do unique_program $tool /usr/local/bin/$tool; done
mkdir -m 0755 policies
exec_deny_policy forbidden-tool > policies/forbidden.yaml
pins=/sys/fs/bpf/portcullis/abi-10

start_daemon policies --lock
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
wait_until 5 daemon_logged MESSAGE_ID="$LOCKED"
expect_eperm /usr/local/bin/forbidden-tool
"$PORTCULLIS" status | grep -q "^tamper protection: locked until reboot" || fail "status: $("$PORTCULLIS" status)"
echo "locked after generation 1; status says so"

refused() { # refused KIND: a refusal of that kind was logged
    wait_until 5 daemon_logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER="$1"
}

rm -rf /sys/fs/bpf/portcullis 2>/dev/null && fail "rm -rf removed the pins"
[[ -e $pins/links/pc_exec && -e $pins/maps/pc_image ]] || fail "pins went: $(find /sys/fs/bpf)"
expect_eperm mv $pins/links/pc_exec /sys/fs/bpf/elsewhere
expect_eperm mv /sys/fs/bpf/portcullis /sys/fs/bpf/elsewhere
refused pin
echo "pins: rm and mv refused and logged"

# umount(8) words EPERM as "must be superuser": the refusals are seen in the log.
for target in "/sys/fs/bpf" "-l /sys/fs/bpf" "-l /sys"; do
    # shellcheck disable=SC2086
    umount $target 2>/dev/null && fail "umount $target succeeded"
done
wait_until 5 entries_above daemon.log "$TAMPER_REFUSED" 0
[[ $(grep -c '"PORTCULLIS_TAMPER":"umount"' daemon.log) -ge 3 ]] || fail "not every umount was logged refused"
grep -q " /sys/fs/bpf bpf " /proc/self/mounts || fail "bpffs is gone"
echo "umount of bpffs and of /sys above it (lazy too) refused and logged"

for signal in TERM KILL STOP INT; do expect_eperm kill -$signal "$DAEMON_PID"; done
kill -0 "$DAEMON_PID" || fail "the daemon is gone"
refused signal
python3 - "$DAEMON_PID" <<'PY' || fail "ptrace of the locked daemon"
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
assert libc.ptrace(16, int(sys.argv[1]), 0, 0) != 0 and ctypes.get_errno() == errno.EPERM
PY
refused ptrace
echo "signals (TERM, KILL, STOP, INT) and ptrace to the daemon refused and logged"

expect_eperm bpftool map delete pinned $pins/maps/pc_image key 0 0 0 0
refused map
"$PORTCULLIS" disarm --runtime-dir /nonexistent >disarm.out && fail "disarm succeeded on a locked host"
grep -q "locked until reboot" disarm.out || fail "disarm did not say why: $(cat disarm.out)"
[[ -e $pins/links/pc_exec ]] || fail "disarm removed a pin"
expect_eperm /usr/local/bin/forbidden-tool
echo "map writes and disarm refused"

# Another daemon (an upgrade, another build) cannot take over until reboot.
mkdir -m 0755 other
"$PORTCULLIS" run --policy-dir other --runtime-dir "$PWD/other-run" --log-target json >second.log 2>&1 &&
    fail "a second daemon started on a locked host"
grep -q "locked until reboot" second.log || fail "the second daemon did not say why: $(cat second.log)"
echo "a second daemon is refused the maps"

# Stronger applies; weaker is refused and logged; the denial stays.
exec_deny_policy later-tool > policies/later.yaml
wait_until 10 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=2
expect_eperm /usr/local/bin/later-tool
rm policies/forbidden.yaml
wait_until 10 daemon_logged MESSAGE_ID="$WEAKENING_REFUSED" PORTCULLIS_FOUND~"policy no-forbidden-tool: rule removed"
expect_eperm /usr/local/bin/forbidden-tool
cat > policies/allow.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-later-tool }
spec:
  rules:
    - exec: { path: /usr/local/bin/later-tool }
      action: deny
    - exec: { path: /usr/local/bin/later-tool }
      action: allow
YAML
rm policies/later.yaml
wait_until 10 daemon_logged MESSAGE_ID="$WEAKENING_REFUSED" PORTCULLIS_FOUND~"allow rule added"
expect_eperm /usr/local/bin/later-tool
"$PORTCULLIS" status --json >status.json
python3 - status.json <<'PY' || fail "status: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["locked"] and s["generation"] == 2 and s["tampering"]["refused"] >= 8, s
PY
echo "a new denial applied; removing a file and adding an allow were refused; both denials hold"

kill -HUP "$DAEMON_PID" || fail "SIGHUP (systemctl reload) was refused"
wait_until 10 daemon_logged MESSAGE_ID="$WEAKENING_REFUSED" PORTCULLIS_GENERATION=2 PORTCULLIS_FOUND~"allow rule added"
echo "SIGHUP (systemctl reload) reaches the daemon: it reads the directory again, and refuses it again"

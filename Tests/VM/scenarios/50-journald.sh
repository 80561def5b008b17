# The audit trail in a real systemd-journald, and sd_notify: the daemon picks
# journald by itself, logs a generation with its fields, an error in a broken
# file with file, line and column, and a rescan on SIGHUP; the notify socket
# hears READY=1, STATUS=, WATCHDOG=1, RELOADING=1 and STOPPING=1. A decision
# names the unit and cgroup the kernel recorded for the task at the decision,
# though the process is gone before the daemon reads it; with its cgroup gone
# too, the entry carries the cgroup id alone.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# journald without systemd as PID 1: given its directory, it creates its own
# sockets and keeps a runtime journal in /run/log/journal.
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >journald.out 2>&1 &
JOURNALD_PID=$!
wait_until 30 test -S /run/systemd/journal/socket
echo "systemd-journald $(journalctl --version | head -1) running as pid $JOURNALD_PID"

on_fail() {
    echo "--- journalctl -o json -t portcullis"
    journalctl --no-pager -o json -t portcullis
    echo "--- notify.log, without its $(grep -c WATCHDOG notify.log) WATCHDOG=1 lines"
    grep -v WATCHDOG notify.log
    echo "--- journald"
    cat journald.out
}

# journal_has MATCH CONDITION...: `journalctl -o json MATCH` lists an entry
# meeting every CONDITION (see has_entry).
journal_has() {
    local match=$1
    shift
    journalctl --no-pager -o json "$match" >journal.json
    has_entry journal.json "$@"
}

# A stand-in for systemd's notify socket: each datagram becomes one JSON line
# of notify.log, its assignments as fields.
python3 - "$SCRATCH/notify.sock" notify.log <<'PY' &
import json, socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
server.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        datagram = server.recv(65536).decode()
        fields = dict(line.split("=", 1) for line in datagram.split("\n") if line)
        log.write(json.dumps(fields) + "\n")
        log.flush()
PY
LISTENER_PID=$!
wait_until 30 test -S notify.sock

unique_program forbidden-tool /usr/local/bin/forbidden-tool
mkdir -m 0755 policies
cat > policies/10-forbidden.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata:
  name: no-forbidden-tool
spec:
  rules:
    - exec: { path: /usr/local/bin/forbidden-tool }
      action: deny
YAML

NOTIFY_SOCKET=$SCRATCH/notify.sock WATCHDOG_USEC=1000000 start_daemon policies
# The generations it applies are g1, g2, ...: 1, 2, ... on a fresh kernel, or
# on from the generation in force when it adopts pinned programs (a shared boot).
wait_until "$START_SECONDS" journal_has MESSAGE_ID="$DAEMON_STARTED" _PID="$DAEMON_PID"
journalctl --no-pager -o json MESSAGE_ID="$DAEMON_STARTED" _PID="$DAEMON_PID" >started.json
G0=$(started_generation started.json) || fail "no generation in the daemon's 'started' entry"
g1=$((G0 + 1)) g2=$((G0 + 2)) g3=$((G0 + 3))
wait_until "$START_SECONDS" has_entry notify.log READY=1 "STATUS=generation $g1 applied: 1 policy, 1 rule from 1 file"
expect_eperm /usr/local/bin/forbidden-tool
echo "READY=1 with STATUS= after generation $g1; forbidden-tool denied"

# Generation g1 in the journal, found by its MESSAGE_ID and by its generation.
applied=(
    PRIORITY=6 "MESSAGE=generation $g1 applied: 1 policy, 1 rule from 1 file"
    SYSLOG_IDENTIFIER=portcullis _PID="$DAEMON_PID" _TRANSPORT=journal
    PORTCULLIS_GENERATION=$g1 PORTCULLIS_POLICY_COUNT=1 PORTCULLIS_RULE_COUNT=1
    PORTCULLIS_FILE_COUNT=1 PORTCULLIS_POLICIES=no-forbidden-tool
    "PORTCULLIS_PROGRAM_IDS~(^|,)pc_exec:[0-9]+(,|$)"
)
wait_until 30 journal_has MESSAGE_ID="$GENERATION_APPLIED" "${applied[@]}"
journal_has PORTCULLIS_GENERATION=$g1 MESSAGE_ID="$GENERATION_APPLIED" "${applied[@]}" ||
    fail "journalctl PORTCULLIS_GENERATION=$g1 does not find generation $g1"
journal_has MESSAGE_ID="$DAEMON_STARTED" PRIORITY=6 _PID="$DAEMON_PID" PORTCULLIS_POLICY_DIR=policies \
    "PORTCULLIS_PROGRAM_IDS~(^|,)pc_exec:[0-9]+(,|$)" ||
    fail "no 'started' entry in the journal"
[[ ! -s daemon.log ]] || fail "with journald there, the daemon wrote to its standard output or error"
echo "journal: generation $g1 found by MESSAGE_ID and by PORTCULLIS_GENERATION=$g1; nothing on stdout or stderr"

# The cgroup of a decision is the one the kernel recorded at the decision (its
# id, named through the cgroup2 mount), not what /proc says afterwards: with the
# daemon stopped, a shell moves itself into a unit's cgroup, execs the denied
# program and exits; the daemon reads the event once the process is gone.
# Likewise in a second cgroup, removed before the daemon reads: nothing names
# its id any more, and the entry carries the id alone.
CG=/sys/fs/cgroup/pcvm.slice
mkdir -p $CG/pcvm-unit.service $CG/pcvm-gone.service
# denied_exit CGROUP: runs the shell in CGROUP; sets PID to its pid once it has exited, denied.
denied_exit() {
    local status=0
    bash -c 'echo $$ >"$1/cgroup.procs" || exit 99; exec /usr/local/bin/forbidden-tool' _ "$1" 2>exec.err &
    PID=$!
    wait "$PID" || status=$?
    [[ $status != 0 && $status != 99 && $(cat exec.err) == *"Operation not permitted"* ]] ||
        fail "in $1, the exec of forbidden-tool was not denied (status $status: $(cat exec.err))"
    [[ ! -e /proc/$PID ]] || fail "process $PID is still there"
}
kill -STOP "$DAEMON_PID"
denied_exit $CG/pcvm-unit.service
kept_pid=$PID kept_id=$(stat -c %i $CG/pcvm-unit.service)
denied_exit $CG/pcvm-gone.service
gone_pid=$PID gone_id=$(stat -c %i $CG/pcvm-gone.service)
rmdir $CG/pcvm-gone.service
kill -CONT "$DAEMON_PID"
wait_until 30 journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_TGID="$kept_pid" \
    PORTCULLIS_PATH=/usr/local/bin/forbidden-tool PORTCULLIS_CGROUP_ID="$kept_id" \
    PORTCULLIS_CGROUP=/pcvm.slice/pcvm-unit.service PORTCULLIS_CGROUP_SOURCE=kernel PORTCULLIS_UNIT=pcvm-unit.service
wait_until 30 journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_TGID="$gone_pid" \
    PORTCULLIS_CGROUP_ID="$gone_id" PORTCULLIS_CGROUP_SOURCE=unknown
for field in PORTCULLIS_CGROUP PORTCULLIS_UNIT; do
    ! journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_TGID="$gone_pid" "$field~." ||
        fail "the decision of a process whose cgroup is gone has $field"
done
rmdir $CG/pcvm-unit.service $CG
echo "journal: a decision of a process gone before the daemon read it names its unit from the kernel's cgroup id $kept_id:"
journalctl --no-pager -o cat MESSAGE_ID="$DECISION_DENY" PORTCULLIS_TGID="$kept_pid" | sed 's/^/    /'
echo "  (PORTCULLIS_CGROUP=/pcvm.slice/pcvm-unit.service PORTCULLIS_UNIT=pcvm-unit.service PORTCULLIS_CGROUP_SOURCE=kernel);"
echo "  its cgroup removed too: PORTCULLIS_CGROUP_ID=$gone_id PORTCULLIS_CGROUP_SOURCE=unknown, no unit"

# A broken file: an error with file, line and column; the file is refused, and
# as nothing else changed, no new generation is made: generation g1 stays. It
# is moved into place whole, as config management does: a file still being
# written is read as it is at that moment (empty, say, which is a warning).
cat > broken.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata:
  name: broken
spec:
  rules:
    - exec: { path: /usr/bin/x
      action: deny
YAML
mv broken.yaml policies/20-broken.yaml
wait_until 30 journal_has MESSAGE_ID="$FILE_REFUSED" PRIORITY=3 PORTCULLIS_POLICY_FILE=policies/20-broken.yaml
expected=$(portcullis check policies/20-broken.yaml | head -1 || true)
journal_has MESSAGE_ID="$POLICY_FILE_ERROR" PRIORITY=3 _PID="$DAEMON_PID" \
    PORTCULLIS_POLICY_FILE=policies/20-broken.yaml PORTCULLIS_FILE=policies/20-broken.yaml \
    PORTCULLIS_LINE=8 PORTCULLIS_COLUMN=13 "MESSAGE=$expected" ||
    fail "no error entry for 20-broken.yaml at 8:13 saying: $expected"
sleep 1
journal_has MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$g2 &&
    fail "a refused file changed nothing, yet a new generation was applied"
expect_eperm /usr/local/bin/forbidden-tool
echo "journal: $expected"
echo "  (PORTCULLIS_FILE=policies/20-broken.yaml PORTCULLIS_LINE=8 PORTCULLIS_COLUMN=13); generation $g1 stays"

# SIGHUP: a rescan, as systemd's reload, that installs the result even when it
# is unchanged: RELOADING=1 with MONOTONIC_USEC, then READY=1 with generation g2.
before=$(wc -l <notify.log)
kill -HUP "$DAEMON_PID"
wait_until 30 journal_has MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$g2 _PID="$DAEMON_PID"
after_hup() { tail -n +"$((before + 1))" notify.log | sed -n '/"RELOADING"/,$p'; }
wait_until 30 has_entry <(after_hup) READY=1 "STATUS=generation $g2 applied: 1 policy, 1 rule from 1 file"
has_entry <(after_hup) RELOADING=1 "MONOTONIC_USEC~^[0-9]+$" || fail "RELOADING=1 without MONOTONIC_USEC"
[[ $(journalctl --no-pager -o json MESSAGE_ID="$GENERATION_APPLIED" _PID="$DAEMON_PID" | wc -l) == 2 ]] ||
    fail "expected exactly two generations in the journal"
echo "SIGHUP: RELOADING=1, generation $g2 in the journal, READY=1"

pings=$(grep -c -Fx '{"WATCHDOG": "1"}' notify.log || true)
((pings >= 2)) || fail "WATCHDOG_USEC=1000000, yet $pings WATCHDOG=1 pings"
echo "watchdog: $pings WATCHDOG=1 pings at half of WATCHDOG_USEC"

pid=$DAEMON_PID
stop_daemon
wait_until 30 has_entry notify.log STOPPING=1
wait_until 30 journal_has MESSAGE_ID="$DAEMON_STOPPING" _PID="$pid" PORTCULLIS_SIGNAL=SIGTERM
echo "SIGTERM: STOPPING=1, 'stopping' in the journal, exit status 0"

# --log-target json overrides the choice: JSON lines on stdout, nothing in the journal.
# The new daemon adopts the pinned programs, with generation g2 in force, and
# installs its own compilation of the directory as generation g3.
rm policies/20-broken.yaml
start_daemon policies --log-target json
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=adopted PORTCULLIS_GENERATION=$g2
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$g3 PRIORITY=6 \
    "MESSAGE=generation $g3 applied: 1 policy, 1 rule from 1 file"
pid=$DAEMON_PID
stop_daemon
[[ -z $(journalctl --no-pager -o json _PID="$pid") ]] || fail "--log-target json wrote to the journal"
echo "--log-target json: JSON lines on standard output, nothing in the journal"

# A missing policy directory never holds up boot: the daemon reports it, says
# READY=1 all the same (systemd goes on past sysinit.target), and follows the
# directory until it appears.
before=$(wc -l <notify.log)
NOTIFY_SOCKET=$SCRATCH/notify.sock start_daemon missing --log-target json
ready_without_directory() {
    tail -n +"$((before + 1))" notify.log | has_entry - READY=1 "STATUS~missing: error: cannot stat: No such file or directory"
}
wait_until "$START_SECONDS" ready_without_directory
mkdir -m 0755 missing
cp policies/10-forbidden.yaml missing/
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_POLICIES=no-forbidden-tool
expect_eperm /usr/local/bin/forbidden-tool
stop_daemon
echo "a missing policy directory: READY=1 with the reason in STATUS=, then the directory is followed once it appears"

echo "--- journalctl -t portcullis"
journalctl --no-pager -t portcullis
kill "$LISTENER_PID" "$JOURNALD_PID"

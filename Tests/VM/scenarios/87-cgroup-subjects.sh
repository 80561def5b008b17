# vm: fresh-boot (its first probe must be older than the programs: seeded, never recorded at exec)
# Subjects with `unit` and `cgroup` conditions, matched by the acting task's
# cgroup v2 path. The guest has no systemd: the scenario makes the cgroups a
# unit would have (/system.slice/pc-test.service, a sub-cgroup below it,
# /system.slice/pc-ok.service, /jobs/7) and places processes in them itself.
# Proved: a process started in the unit's cgroup (or below) is denied
# CAP_NET_ADMIN; a running process moved in by a write to cgroup.procs, without
# exec'ing, is denied from then on (in a thread that is not the leader: the
# whole thread group moved) and allowed again once moved out; a process that
# was in the cgroup before the daemon started is denied once it runs; an
# `except` by unit; a mount rule by cgroup path; and `explain --unit/--cgroup`
# predicts each.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

CG=/sys/fs/cgroup
[[ -f $CG/cgroup.procs ]] || fail "no cgroup2 hierarchy at $CG"
mkdir -p $CG/system.slice/pc-test.service/sub $CG/system.slice/pc-ok.service $CG/jobs/7
cleanup_cgroups() {
    for d in system.slice/pc-test.service/sub system.slice/pc-test.service system.slice/pc-ok.service \
        system.slice jobs/7 jobs; do
        [[ -d $CG/$d ]] || continue
        while read -r pid; do echo "$pid" >$CG/cgroup.procs 2>/dev/null || true; done <$CG/$d/cgroup.procs
        rmdir $CG/$d 2>/dev/null || true
    done
}
on_fail() {
    touch stop-probes
    for f in probe-*.log; do [[ -f $f ]] && { echo "--- $f (uniq -c)"; uniq -c "$f"; }; done
    cleanup_cgroups
}

# in_cgroup PATH CMD...: runs CMD in a child of a shell placed in cgroup PATH
# (the shell moves itself, then forks CMD: CMD starts there).
in_cgroup() {
    bash -c 'echo $$ >"/sys/fs/cgroup$1/cgroup.procs" || exit 99; shift; "$@"; exit $?' _ "$@"
}
# moved_exec PATH CMD...: a shell moves itself into cgroup PATH and execs CMD.
moved_exec() {
    bash -c 'echo $$ >"/sys/fs/cgroup$1/cgroup.procs" || exit 99; shift; exec "$@"' _ "$@"
}
# The CAP_NET_ADMIN probe: SO_RCVBUFFORCE needs it. One line per try, from a
# thread that is not the thread-group leader, never exec'ing.
cat > probe.py <<'PY'
import os, socket, sys, threading, time
log = sys.argv[1]
def loop():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with open(log, "a", buffering=1) as out:
        while not os.path.exists("stop-probes"):
            try:
                s.setsockopt(socket.SOL_SOCKET, 33, 1 << 20)  # SO_RCVBUFFORCE
                out.write("ok\n")
            except PermissionError:
                out.write("eperm\n")
            time.sleep(0.02)
t = threading.Thread(target=loop)
t.start()
t.join()
PY
last_is() { [[ -s $1 && $(tail -n 1 "$1") == "$2" ]]; }

# A process older than the daemon, already in the unit's cgroup (seeding).
touch probe-old.log probe-moved.log
moved_exec /system.slice/pc-test.service python3 probe.py probe-old.log &
OLD=$!
# A process older than the daemon, in the root cgroup: moved later.
python3 probe.py probe-moved.log &
MOVED=$!
wait_until 10 lines_at_least probe-old.log 3
wait_until 10 lines_at_least probe-moved.log 3
[[ $(sort -u probe-old.log) == ok ]] || fail "the probe was denied before any policy"

mkdir -m 0755 policies
cat > policies/units.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: units }
spec:
  rules:
    - capability: [CAP_NET_ADMIN]
      subject: { unit: pc-test.service }
      action: deny
    - capability: [CAP_CHOWN]
      subject:
        unit: system.slice
        except: [{ unit: pc-ok.service }]
      action: deny
    - mount: { flags: [bind] }
      subject: { cgroup: /jobs }
      action: deny
YAML
"$PORTCULLIS" check policies >check.txt 2>&1 || fail "check: $(cat check.txt)"
grep "not enforced" check.txt >/dev/null && fail "check still warns: $(cat check.txt)"
explain() { # explain EXPECTED-STATUS ARGS...
    local want=$1 status=0
    shift
    "$PORTCULLIS" explain "$@" --policy-dir policies >explain.txt 2>&1 || status=$?
    [[ $status == "$want" ]] || fail "explain $*: exit $status, expected $want: $(cat explain.txt)"
}
explain 1 capability --unit pc-test.service CAP_NET_ADMIN
explain 1 capability --cgroup /system.slice/pc-test.service/sub CAP_NET_ADMIN
explain 0 capability --cgroup / CAP_NET_ADMIN
explain 1 capability --unit pc-test.service CAP_CHOWN
explain 0 capability --unit pc-ok.service CAP_CHOWN
explain 0 capability --unit pc-ok.service CAP_NET_ADMIN
explain 1 mount --cgroup /jobs/7 --source /a --target /b --flags bind
explain 0 mount --cgroup / --source /a --target /b --flags bind
echo "explain predicts: CAP_NET_ADMIN denied in pc-test.service and below, CAP_CHOWN in system.slice but pc-ok.service, bind mounts in /jobs"

start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1

# (iii) Seeding: the old probe, in the cgroup since before the daemon, never exec'd since.
wait_until 10 last_is probe-old.log eperm
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_COMM=python3
echo "a process in pc-test.service since before the daemon is denied CAP_NET_ADMIN"

# (i) Started in the unit's cgroup, or in a cgroup below it; not elsewhere.
expect_ok ip link set lo mtu 1400
expect_eperm in_cgroup /system.slice/pc-test.service ip link set lo mtu 1300
expect_eperm in_cgroup /system.slice/pc-test.service/sub ip link set lo mtu 1300
expect_ok in_cgroup /system.slice/pc-ok.service ip link set lo mtu 1300
expect_ok in_cgroup /jobs/7 ip link set lo mtu 1400
echo "CAP_NET_ADMIN: denied in pc-test.service and its sub-cgroup, allowed in pc-ok.service, /jobs/7 and /"

# (ii) Moved without exec: the running probe (root cgroup, allowed) is moved
# in by this shell's write to cgroup.procs, then out again.
wait_until 5 last_is probe-moved.log ok
echo "$MOVED" >$CG/system.slice/pc-test.service/cgroup.procs
wait_until 10 last_is probe-moved.log eperm
echo "$MOVED" >$CG/cgroup.procs
wait_until 10 last_is probe-moved.log ok
echo "$MOVED" >$CG/system.slice/pc-test.service/sub/cgroup.procs
wait_until 10 last_is probe-moved.log eperm
echo "$MOVED" >$CG/system.slice/pc-ok.service/cgroup.procs
wait_until 10 last_is probe-moved.log ok
echo "a running process moved into pc-test.service (or its sub-cgroup) without exec is denied; moved out, allowed"
# A shell that moves itself, then execs: denied; one that moves itself out, then runs ip: allowed.
expect_eperm moved_exec /system.slice/pc-test.service ip link set lo mtu 1300
expect_ok moved_exec /system.slice/pc-test.service bash -c 'echo $$ >/sys/fs/cgroup/cgroup.procs; ip link set lo mtu 1400'
expect_eperm moved_exec / bash -c 'echo $$ >/sys/fs/cgroup/system.slice/pc-test.service/cgroup.procs; ip link set lo mtu 1300'
echo "a shell moved in then exec'ing is denied; moved out then running ip, allowed"

# (iv) except by unit: CAP_CHOWN is denied in system.slice but not in pc-ok.service.
touch owned
expect_eperm in_cgroup /system.slice/pc-test.service chown 1234:1234 owned
expect_ok in_cgroup /system.slice/pc-ok.service chown 1234:1234 owned
expect_ok chown 0:0 owned
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_CHOWN
echo "CAP_CHOWN: denied in system.slice/pc-test.service, allowed in the excepted pc-ok.service and in /"

# A mount rule by cgroup path: bind mounts from /jobs and below.
mkdir -p src dst
out=$(in_cgroup /jobs/7 mount --bind src dst 2>&1) && fail "a bind mount in /jobs/7 succeeded"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount
expect_ok in_cgroup /system.slice/pc-ok.service mount --bind src dst
umount dst
echo "bind mounts: denied in /jobs/7 ($out), allowed elsewhere"

# An unrelated change (generation 2): the old probe stays denied through the swap.
cat > policies/unrelated.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: unrelated }
spec:
  rules:
    - exec: { path: /usr/local/bin/nothing-here }
      action: deny
YAML
first=$(wc -l <probe-old.log)
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=2
wait_until 10 lines_at_least probe-old.log $((first + 20))
slips=$(tail -n +"$first" probe-old.log | grep -c '^ok$' || true)
((slips == 0)) || fail "$slips tries of the old probe passed across the swap"
echo "generation 2: the old probe stayed denied through the swap"

# The rule removed: the probes are allowed again, without exec.
rm policies/units.yaml
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=3
wait_until 10 last_is probe-old.log ok
echo "generation 3 without the rules: the old probe is allowed again"

touch stop-probes
wait "$OLD" "$MOVED"
stop_daemon
cleanup_cgroups

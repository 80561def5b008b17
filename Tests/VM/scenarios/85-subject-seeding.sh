# vm: fresh-boot (its probes must be older than the programs: seeded, never recorded at exec)
# Subjects hold for processes older than the daemon, and across generation
# swaps. A python3 probe started before the daemon, whose arguments make it
# the subject of a CAP_CHOWN deny, keeps trying chown(2) without ever
# exec'ing again: once generation 1 is in force every try fails, and after an
# unrelated policy change (generation 2) every try still fails: not one slips
# through the swap. A second probe with other arguments, and chown(1) from
# the shell, are not concerned. The unrelated changes leave the subjects'
# conditions as they were: those generations keep the tasks' views (one
# subject epoch) and are swapped in without computing them again, and the
# other probe, never exec'd, is still known not to be the subject after them
# (with no valid view it would be possibly every subject, and denied). A
# change of the subject's condition computes new views before its swap.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cp "$VM_TESTS/chown-probe.py" probe.py
touch target other-target probe.log other.log
chown 1234:1234 target other-target

python3 probe.py seeding-probe target probe.log &
PROBE=$!
python3 probe.py other-probe other-target other.log &
OTHER=$!
on_fail() { touch stop-probes; echo "--- probe.log (uniq -c)"; uniq -c probe.log; }

lines() { wc -l < "$1"; }
# grew FILE N: FILE has more than N lines.
grew() { (( $(lines "$1") > $2 )); }
wait_until 10 grew probe.log 5
wait_until 10 grew other.log 5
[[ $(sort -u probe.log) == ok ]] || fail "the probe was denied before any policy"
echo "before the daemon: the probe's chown works"

mkdir -m 0755 policies
cat > policies/probe.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: probe-no-chown }
spec:
  rules:
    - capability: [CAP_CHOWN]
      subject: { argsRegex: "^probe\\.py seeding-probe " }
      action: deny
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
has_entry daemon.log MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1 PORTCULLIS_TASK_VIEWS=computed ||
    fail "generation 1 did not compute the tasks' views"
last_is() { [[ $(tail -n 1 "$1") == "$2" ]]; }
wait_until 5 last_is probe.log eperm
first_denied=$(grep -n -m 1 eperm probe.log | cut -d: -f1)
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=capable PORTCULLIS_CAPABILITY=CAP_CHOWN \
    PORTCULLIS_COMM=python3 PORTCULLIS_POLICY=probe-no-chown
echo "generation 1: the probe, started before the daemon and never exec'd since, is denied CAP_CHOWN"

# An unrelated change: generation 2. The probe must stay denied through the swap.
before=$(lines probe.log)
cat > policies/unrelated.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: unrelated }
spec:
  rules:
    - exec: { path: /usr/local/bin/nothing-here }
      action: deny
YAML
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=2
wait_until 10 grew probe.log $((before + 20))
# And a third generation, the second swap (the other parity of the task views).
printf '%s\n' "    - exec: { path: /usr/local/bin/nothing-there }" "      action: deny" >> policies/unrelated.yaml
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=3
before=$(lines probe.log)
wait_until 10 grew probe.log $((before + 20))
slips=$(tail -n +"$first_denied" probe.log | grep -c '^ok$' || true)
((slips == 0)) || fail "$slips chown calls of the probe passed after it was first denied"
for generation in 2 3; do
    has_entry daemon.log MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$generation PORTCULLIS_TASK_VIEWS=kept ||
        fail "generation $generation, with the subjects' conditions unchanged, did not keep the tasks' views"
done
before=$(lines other.log)
wait_until 10 grew other.log $((before + 5))
[[ $(sort -u other.log) == ok ]] || fail "the other probe was denied after the swaps that kept the views"
echo "generations 2 and 3: the views kept; the probe stayed denied through both swaps ($(lines probe.log) tries in all), the other probe never"

# The subject's condition changed (it still names the probe): views computed again before the swap.
sed -i 's/seeding-probe /seeding-pro/' policies/probe.yaml
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=4 PORTCULLIS_TASK_VIEWS=computed
before=$(lines probe.log)
wait_until 10 grew probe.log $((before + 20))
slips=$(tail -n +"$first_denied" probe.log | grep -c '^ok$' || true)
((slips == 0)) || fail "$slips chown calls of the probe passed after it was first denied"
echo "generation 4, another condition: views computed; the probe stayed denied"

# Unrelated processes: the other probe (also older than the daemon) and chown(1).
before=$(lines other.log)
wait_until 10 grew other.log $((before + 5))
[[ $(sort -u other.log) == ok ]] || fail "the other probe was denied"
expect_ok chown 1234:1234 target
kill -0 "$PROBE" || fail "the probe died"
echo "the other probe and chown(1) are not concerned"

# The rule removed: the probe's chown works again, still without exec.
rm policies/probe.yaml
wait_until 30 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=5 PORTCULLIS_TASK_VIEWS=none
wait_until 5 last_is probe.log ok
echo "generation 5 without the rule: the probe's chown works again"
touch stop-probes
wait "$PROBE" "$OTHER"
stop_daemon

# An exec that straddles a generation swap: held half-way (Tests/VM/exec-hold.py
# holds the open of its ELF interpreter, which comes after the exec hook and
# before the exec completes) while the daemon swaps from a generation that needs
# no task records to the first one with an argument rule. The exec hook staged
# nothing, so the exec is decided by its path read once the exec completed: a
# program no rule names runs (it was killed as unknown before). A #! script held
# the same way has its path gone by then: unknown, killed, logged so (fail
# closed). The argument rule still kills what it names, and spares the rest.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
unique_program straddler /usr/local/bin/straddler
unique_program argskill /usr/local/bin/argskill
printf '#!/bin/sh\nexit 0\n' > /usr/local/bin/straddle.sh
chmod 0755 /usr/local/bin/straddle.sh
mkdir -m 0755 policies hold
exec_deny_policy forbidden-tool > policies/10-forbidden.yaml
cat > args.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: argument-rule }
spec:
  rules:
    - exec: { path: /usr/local/bin/argskill, argsRegex: "^--kill" }
      action: deny
YAML

start_daemon policies
wait_started
applied() { daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION="$1" PORTCULLIS_RULE_COUNT="$2"; }
wait_until "$START_SECONDS" applied $((G0 + 1)) 1

python3 -S "$VM_TESTS/exec-hold.py" "$(readlink -f /lib64/ld-linux-x86-64.so.2)" hold &
holder=$!
on_fail() { kill "$holder" 2>/dev/null; }
wait_until 10 test -e hold/ready

# straddle PROGRAM GENERATION: starts PROGRAM, holds its exec half-way while the
# argument rule's policy comes in (generation GENERATION), then lets it go on.
# Prints PROGRAM's exit status.
straddle() {
    rm -f hold/held hold/release hold/released
    (echo "$BASHPID" > hold/hold && exec "$1") &
    local pid=$! status=0
    wait_until 10 test -e hold/held
    cp args.yaml args.tmp && mv args.tmp policies/20-args.yaml
    wait_until 30 applied "$2" 2
    touch hold/release
    wait "$pid" || status=$?
    echo "$status"
}

status=$(straddle /usr/local/bin/straddler $((G0 + 2)))
((status == 0)) || fail "straddler, held across the swap to the first argument rule, exited with $status (137: killed)"
daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/usr/local/bin/straddler &&
    fail "a denial was logged for straddler"
echo "held across the swap to the first argument rule: straddler ran (decided by its path, read once the exec completed)"

expect_ok /usr/local/bin/straddler
expect_ok /usr/local/bin/argskill --keep
status=0
/usr/local/bin/argskill --kill || status=$?
((status == 137)) || fail "expected argskill --kill to be killed (137), got $status"
echo "the argument rule in force: argskill --kill killed, argskill --keep and straddler run"

rm policies/20-args.yaml
wait_until 30 applied $((G0 + 3)) 1
status=$(straddle /usr/local/bin/straddle.sh $((G0 + 4)))
((status == 137)) || fail "a #! script held across the swap: expected it killed as unknown (137), got $status"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sched_process_exec PORTCULLIS_UNKNOWN=path
echo "a #! script held across the same swap: killed, logged as decided on an unknown path (fail closed)"

kill "$holder"
wait "$holder" 2>/dev/null || true
stop_daemon

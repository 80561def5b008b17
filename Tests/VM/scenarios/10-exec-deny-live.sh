# The thin slice end to end: an exec deny rule from a policy file is enforced
# with EPERM, follows the file as it is deleted and restored, and the program
# is never reloaded (same BPF program id throughout). Then systemd's drop-in
# conventions: a policy a package ships in the vendor directory is enforced and
# followed live, a file of the same name in the admin's directory overrides it,
# a symlink to /dev/null masks it, and removing the mask brings it back.
# Last, exec patterns over one automaton's state cap are split into three
# DFAs, and a rule of each decides.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
unique_program vendor-tool /usr/local/bin/vendor-tool
unique_program admin-tool /usr/local/bin/admin-tool
mkdir -m 0755 policies vendor
cat > policy.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata:
  name: no-forbidden-tool
spec:
  rules:
    - exec: { path: /usr/local/bin/forbidden-tool }
      action: deny
YAML
cp policy.yaml policies/forbidden.yaml

start_daemon policies --vendor-dir vendor
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1)) PORTCULLIS_RULE_COUNT=1

prog_id() { bpftool prog show name pc_exec | sed -n 's/^\([0-9]*\): lsm.*/\1/p'; }
id=$(prog_id)
[[ -n $id ]] || fail "no pc_exec program loaded: $(bpftool prog show)"
echo "pc_exec has BPF id $id"

expect_eperm /usr/local/bin/forbidden-tool
expect_ok /usr/bin/true
expect_ok ls / >/dev/null
echo "deny in force: forbidden-tool gets EPERM, other programs run"

rm policies/forbidden.yaml
wait_until 2 /usr/local/bin/forbidden-tool
echo "policy file deleted: forbidden-tool runs again"
[[ $(prog_id) == "$id" ]] || fail "program id changed from $id to $(prog_id)"

cp policy.yaml policies/forbidden.yaml
wait_until 2 denied /usr/local/bin/forbidden-tool
echo "policy file restored: forbidden-tool denied again"
[[ $(prog_id) == "$id" ]] || fail "program id changed from $id to $(prog_id)"
[[ $(bpftool prog show name pc_exec | grep -c '^[0-9]') == 1 ]] || fail "more than one pc_exec attached"

has_entry daemon.log MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 2)) PORTCULLIS_RULE_COUNT=0 ||
    fail "expected generation $((G0 + 2)), without the file"
has_entry daemon.log MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 3)) PORTCULLIS_RULE_COUNT=1 ||
    fail "expected generation $((G0 + 3)), with the file again"

# The vendor's directory, followed live like the admin's.
exec_deny_policy vendor-tool > vendor/20-tools.yaml
wait_until 2 denied /usr/local/bin/vendor-tool
expect_ok /usr/local/bin/admin-tool
echo "vendor policy (vendor/20-tools.yaml) in force: vendor-tool denied"

# The admin's file of the same name overrides the vendor's whole file.
exec_deny_policy admin-tool > 20-tools.yaml.tmp && mv 20-tools.yaml.tmp policies/20-tools.yaml
wait_until 2 denied /usr/local/bin/admin-tool
expect_ok /usr/local/bin/vendor-tool
echo "policies/20-tools.yaml overrides it: admin-tool denied, vendor-tool runs"

# A symlink to /dev/null masks the name: neither file applies, and it is no error.
ln -sfn /dev/null policies/20-tools.yaml
wait_until 2 /usr/local/bin/admin-tool
expect_ok /usr/local/bin/vendor-tool
has_entry daemon.log MESSAGE_ID="$POLICY_FILE_ERROR" && fail "the mask was reported as an error"
echo "masked with /dev/null: both run"

# Unmasked: the vendor's file applies again.
rm policies/20-tools.yaml
wait_until 2 denied /usr/local/bin/vendor-tool
expect_ok /usr/local/bin/admin-tool
echo "mask removed: the vendor's policy is back"
expect_eperm /usr/local/bin/forbidden-tool

# Exec patterns whose one automaton would pass the 65,536-state cap are split
# into several, and the kernel walks each: each rule remembers the 10 bytes
# after its letter (2^11 states alone, about 3^11 = 177,147 for two), so the
# three rules are in three DFAs, in order. The exec hook, the mapping hook (the
# loader trick: its name filter must let the 2nd DFA's names through) and the
# argument rules decided once the exec completed (the 3rd DFA's list, staged
# by the exec hook) each see every DFA.
mkdir -p /usr/local/split
for letter in x y z q; do unique_program "split-$letter" "/usr/local/split/a${letter}0123456789"; done
cat > split.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata:
  name: split-automata
spec:
  rules:
    - exec: { pathRegex: "^/usr/local/split/.*x.{10}$" }
      action: deny
    - exec: { pathRegex: "^/usr/local/split/.*y.{10}$" }
      action: deny
    - exec: { pathRegex: "^/usr/local/split/.*z.{10}$", argsRegex: "^--kill" }
      action: deny
YAML
compiled=$(portcullis compile split.yaml) || fail "split.yaml does not compile: $compiled"
[[ $compiled == *"in 3 automata"* ]] || fail "expected the exec patterns in 3 automata: $compiled"
echo "compiled: $compiled"
mv split.yaml policies/30-split.yaml
wait_until "$START_SECONDS" denied /usr/local/split/ay0123456789
expect_eperm /usr/local/split/ax0123456789
expect_ok /usr/local/split/aq0123456789
expect_ok /usr/local/split/az0123456789 --keep
status=0
out=$(/usr/local/split/az0123456789 --kill 2>&1) || status=$?
((status == 137)) || fail "expected SIGKILL (status 137) for the 3rd DFA's argument rule, got $status: $out"
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
out=$("$loader" /usr/local/split/ay0123456789 2>&1) && fail "the loader ran the 2nd DFA's program: $out"
[[ $out == *"failed to map segment"* ]] || fail "loader trick: expected a refused mapping, got: $out"
expect_ok "$loader" /usr/local/split/aq0123456789
expect_eperm /usr/local/bin/forbidden-tool
split_deny=(MESSAGE_ID="$DECISION_DENY" PORTCULLIS_DECISION=deny PORTCULLIS_POLICY_FILE=policies/30-split.yaml)
wait_until 5 daemon_logged "${split_deny[@]}" PORTCULLIS_PATH=/usr/local/split/ay0123456789 PORTCULLIS_LINE=9 \
    PORTCULLIS_HOOK=bprm_check_security
daemon_logged "${split_deny[@]}" PORTCULLIS_PATH=/usr/local/split/ax0123456789 PORTCULLIS_LINE=7 ||
    fail "no event naming the 1st DFA's rule"
wait_until 5 daemon_logged "${split_deny[@]}" PORTCULLIS_PATH=/usr/local/split/ay0123456789 PORTCULLIS_LINE=9 \
    PORTCULLIS_HOOK=mmap_file
wait_until 5 daemon_logged "${split_deny[@]}" PORTCULLIS_PATH=/usr/local/split/az0123456789 PORTCULLIS_LINE=11
echo "split into 3 automata: denied by the 2nd DFA's rule (exec and loader) and the 1st's, killed by the 3rd's argument rule; aq0123456789 and 'az0123456789 --keep' run"
stop_daemon

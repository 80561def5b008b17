# The thin slice end to end: an exec deny rule from a policy file is enforced
# with EPERM, follows the file as it is deleted and restored, and the program
# is never reloaded (same BPF program id throughout).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
mkdir -m 0755 policies
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

start_daemon policies
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
stop_daemon

# Exec rules with conditions, enforced for real: on the new program's arguments
# (decided once the exec completed, before the program's first instruction: the
# program is killed) and on the caller (a subject, decided by the exec hook).
# The seed format's argsRegex on an exec requirement works the same way, and an
# `allow` with conditions carves its exception out of its own policy.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# kubectl and echo-tool are ELF programs (copies of echo); deploy.sh is a script.
unique_program kubectl /usr/bin/kubectl /usr/bin/echo
unique_program echo-tool /usr/local/bin/echo-tool /usr/bin/echo
unique_program helm /usr/local/bin/helm /usr/bin/echo
printf '#!/bin/sh\necho "deploy ran: $*"\n' > /usr/local/bin/deploy.sh
chmod 0755 /usr/local/bin/deploy.sh
mkdir -m 0755 policies
cat > policies/exec-conditions.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: exec-conditions }
spec:
  rules:
    - exec: { path: /usr/bin/kubectl, argsRegex: "^exec( |$)" }
      action: deny
    - exec: { path: /usr/local/bin/echo-tool, argsRegex: "secret" }
      action: deny
    - exec: { path: /usr/local/bin/echo-tool, argsRegex: "^audit-me" }
      action: audit
    - exec: { path: /usr/bin/id }
      subject: { uid: [1000] }
      action: deny
    - exec: { path: /usr/local/bin/deploy.sh, argsRegex: " --prod( |$)" }
      action: deny
YAML
cat > policies/seed-style.yaml <<'YAML'
apiVersion: cilium.io/v1alpha1
kind: CiliumNetworkPolicy
metadata:
  name: no-kubectl-delete
spec:
  endpointSelector: {}
  runtime:
    requirements:
      - matchProcesses:
          - pathRegex: "^/usr/bin/kubectl$"
            argsRegex: ".*delete.*"
        matchActions:
          - deny
YAML
cat > policies/helm-gate.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: helm-gate }
spec:
  rules:
    - exec: { path: /usr/local/bin/helm }
      action: deny
    - exec: { path: /usr/local/bin/helm, argsRegex: "^(list|status)( |$)" }
      action: allow
    - exec: { path: /usr/local/bin/helm }
      subject: { uid: [1001] }
      action: allow
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))

# killed CMD...: CMD must be killed by SIGKILL (status 137) without printing anything.
killed() {
    local out status=0
    out=$("$@" 2>&1) || status=$?
    ((status == 137)) || fail "expected SIGKILL (status 137), got $status: $* (output: $out)"
    [[ -z $out ]] || fail "the program ran before it was killed: $out"
}

[[ $(kubectl get pods) == "get pods" ]] || fail "kubectl get pods did not run"
killed kubectl exec pod -- sh
killed kubectl exec
killed kubectl delete ns prod
[[ $(kubectl get exec) == "get exec" ]] || fail "kubectl get exec did not run"
echo "kubectl: 'get pods' runs; 'exec …' and (seed format) '… delete …' are killed before they run"

# A script's arguments, as its interpreter receives them, start with the script's path.
[[ $(deploy.sh --staging) == "deploy ran: --staging" ]] || fail "deploy.sh --staging did not run"
killed deploy.sh --prod
echo "deploy.sh (a script): '--staging' runs, '--prod' is killed"

[[ $(echo-tool hello) == hello ]] || fail "echo-tool hello"
killed echo-tool my secret
[[ $(echo-tool audit-me please) == "audit-me please" ]] || fail "an audited program must run"
echo "echo-tool (ELF): 'my secret' is killed; 'audit-me please' runs and is audited"

deny=(MESSAGE_ID="$DECISION_DENY" PORTCULLIS_DECISION=deny PORTCULLIS_HOOK=sched_process_exec)
wait_until 5 daemon_logged "${deny[@]}" PORTCULLIS_PATH=/usr/local/bin/echo-tool PORTCULLIS_POLICY=exec-conditions \
    PORTCULLIS_LINE=8 PORTCULLIS_EXE=/usr/local/bin/echo-tool
daemon_logged "${deny[@]}" PORTCULLIS_POLICY=exec-conditions PORTCULLIS_LINE=6 ||
    fail "no sched_process_exec denial for kubectl exec"
daemon_logged "${deny[@]}" PORTCULLIS_POLICY=no-kubectl-delete || fail "no denial from the seed-style policy"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_DECISION=audit PORTCULLIS_HOOK=sched_process_exec \
    PORTCULLIS_PATH=/usr/local/bin/echo-tool PORTCULLIS_LINE=10
echo "audit trail: each kill and the audit name the rule (sched_process_exec)"

# Exceptions with conditions: helm runs for 'list' and 'status', and for uid 1001 whatever its arguments.
[[ $(helm list -A) == "list -A" ]] || fail "helm list did not run"
[[ $(helm status x) == "status x" ]] || fail "helm status did not run"
killed helm install x
killed setpriv --reuid 1000 --regid 1000 --clear-groups /usr/local/bin/helm install x
[[ $(setpriv --reuid 1001 --regid 1001 --clear-groups /usr/local/bin/helm install x) == "install x" ]] ||
    fail "helm install did not run for uid 1001"
wait_until 5 daemon_logged "${deny[@]}" PORTCULLIS_POLICY=helm-gate PORTCULLIS_PATH=/usr/local/bin/helm
echo "allow with conditions: helm list/status run, helm install is killed except for uid 1001"

# The caller: uid 1000 may not run /usr/bin/id; root may. Decided by the exec hook (EPERM).
expect_ok /usr/bin/id >/dev/null
expect_eperm setpriv --reuid 1000 --regid 1000 --clear-groups /usr/bin/id
expect_ok setpriv --reuid 1001 --regid 1001 --clear-groups /usr/bin/id >/dev/null
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=bprm_check_security PORTCULLIS_PATH=/usr/bin/id \
    PORTCULLIS_UID=1000
echo "caller condition: /usr/bin/id denied to uid 1000 (EPERM at exec), allowed to uid 0 and 1001"

# The loader trick cannot show the arguments to the rule: the mapping is refused (fail closed).
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
out=$("$loader" /usr/local/bin/echo-tool hello 2>&1) && fail "the loader ran echo-tool: $out"
[[ $out == *"failed to map segment"* ]] || fail "loader trick: expected a refused mapping, got: $out"
echo "loader trick: $loader /usr/local/bin/echo-tool refused ($out)"
stop_daemon

# The first users' seed policy block-kubectl-execution.yaml, verbatim: nobody
# on the host may execute /usr/bin/kubectl; the exec fails with EPERM.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# As on many hosts, /usr/bin/kubectl is a symlink into an SDK's directory.
mkdir -p /opt/kube-sdk/bin
printf '#!/bin/sh\necho "kubectl ran: $*"\n' > /opt/kube-sdk/bin/kubectl
chmod 0755 /opt/kube-sdk/bin/kubectl
ln -sfn /opt/kube-sdk/bin/kubectl /usr/bin/kubectl
echo "before portcullis: $(kubectl version)"

mkdir -m 0755 policies
cp "$FIXTURES/seed/block-kubectl-execution.yaml" policies/
start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))

echo "with portcullis and the seed policy block-kubectl-execution.yaml:"
echo "\$ kubectl version"
if out=$(kubectl version 2>&1); then fail "kubectl ran: $out"; fi
echo "$out"
[[ $out == *"Operation not permitted"* ]] || fail "expected EPERM, got: $out"
expect_eperm /usr/bin/kubectl
expect_eperm /opt/kube-sdk/bin/kubectl
echo "denied: kubectl by name, by /usr/bin/kubectl (a symlink) and by the file it points to"

# A regular file in its place: the canonical path itself matches, at once.
rm /usr/bin/kubectl
printf '#!/bin/sh\necho "kubectl ran: $*"\n' > /usr/bin/kubectl
chmod 0755 /usr/bin/kubectl
expect_eperm /usr/bin/kubectl
# Symlinks and relative paths name the same file: the canonical path decides.
ln -s /usr/bin/kubectl ./k
expect_eperm ./k
(cd /usr/bin && expect_eperm ./kubectl)
expect_ok /usr/bin/true
echo "denied: /usr/bin/kubectl as a regular file, through a new symlink and a relative path; other programs run"

# The audit trail names each denial, the program and the rule that decided it.
deny=(MESSAGE_ID="$DECISION_DENY" PORTCULLIS_DECISION=deny PORTCULLIS_HOOK=bprm_check_security)
wait_until 5 daemon_logged "${deny[@]}" PORTCULLIS_PATH=/usr/bin/kubectl
daemon_logged "${deny[@]}" PORTCULLIS_PATH=/opt/kube-sdk/bin/kubectl || fail "no event for the symlinked kubectl"
daemon_logged "${deny[@]}" PORTCULLIS_PATH=/usr/bin/kubectl PORTCULLIS_POLICY=block-kubectl-execution \
    PORTCULLIS_POLICY_FILE=policies/block-kubectl-execution.yaml PORTCULLIS_LINE=11 PORTCULLIS_COMM=bash ||
    fail "the event does not name the rule and the process"
echo "audit trail:"
grep '"PORTCULLIS_PATH":"/usr/bin/kubectl"' daemon.log | head -1
stop_daemon

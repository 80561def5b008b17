# The first users' seed policy block-kubectl-execution.yaml, verbatim: nobody
# on the host may execute /usr/bin/kubectl; the exec fails with EPERM.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

printf '#!/bin/sh\necho "kubectl ran"\n' > /usr/bin/kubectl
chmod 0755 /usr/bin/kubectl
expect_ok /usr/bin/kubectl >/dev/null
echo "before portcullis: $(/usr/bin/kubectl)"

mkdir -m 0755 policies
cp "$FIXTURES/seed/block-kubectl-execution.yaml" policies/
start_daemon policies
wait_until 60 grep -q "generation applied" daemon.log

echo "with portcullis:"
echo "\$ kubectl version"
if out=$(kubectl version 2>&1); then fail "kubectl ran: $out"; fi
echo "$out"
[[ $out == *"Operation not permitted"* ]] || fail "expected EPERM, got: $out"
expect_eperm /usr/bin/kubectl
# Symlinks and relative paths name the same file: the canonical path decides.
ln -s /usr/bin/kubectl ./k
expect_eperm ./k
(cd /usr/bin && expect_eperm ./kubectl)
expect_ok /usr/bin/true
echo "kubectl denied through its path, a symlink and a relative path; other programs run"
stop_daemon

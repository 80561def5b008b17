# The demo (scripts/demo): the three seed policies, verbatim, in
# /etc/policies.d, enforced by `portcullis run` with journald as the audit
# trail, each denying for real; then the audit trail as an admin reads it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >journald.out 2>&1 &
wait_until 30 test -S /run/systemd/journal/socket

# As on many hosts, kubectl is a symlink into an SDK's directory.
mkdir -p /opt/kube-sdk/bin /srv/data /mnt/data
printf '#!/bin/sh\necho "kubectl ran: $*"\n' > /opt/kube-sdk/bin/kubectl
chmod 0755 /opt/kube-sdk/bin/kubectl
ln -sfn /opt/kube-sdk/bin/kubectl /usr/bin/kubectl

rm -rf /etc/policies.d && mkdir -m 0755 /etc/policies.d
cp "$FIXTURES"/seed/*.yaml /etc/policies.d/
echo "# /etc/policies.d: $(cd /etc/policies.d && echo *)"
"$PORTCULLIS" run >daemon.log 2>&1 &
DAEMON_PID=$!
journal_has() { journalctl --no-pager -o json "$1" >journal.json && has_entry journal.json "${@:2}"; }
wait_until "$START_SECONDS" journal_has MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=3

show() {
    echo "\$ $*"
    if out=$("$@" 2>&1); then
        echo "$out"
        return 0
    fi
    echo "$out"
    return 1
}

echo
echo "== block-kubectl-execution.yaml: nobody may execute /usr/bin/kubectl"
show kubectl version && fail "kubectl ran"
expect_eperm /usr/bin/kubectl

echo
echo "== deny-net-admin-capability.yaml: no process may use CAP_NET_ADMIN"
show ip link set lo mtu 1400 && fail "CAP_NET_ADMIN was usable"
show ip -brief link show lo

echo
echo "== deny-hostpath-mount.yaml: mount -o bind may not use CAP_SYS_ADMIN"
show mount -o bind /srv/data /mnt/data && fail "the bind mount succeeded"
show mount -t tmpfs none /mnt/data || fail "mount -t tmpfs was denied"
umount /mnt/data

echo
wait_until 10 journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=capable PORTCULLIS_CAPABILITY=CAP_SYS_ADMIN \
    PORTCULLIS_POLICY=deny-hostpath-mount PORTCULLIS_COMM=mount
journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/opt/kube-sdk/bin/kubectl PORTCULLIS_POLICY=block-kubectl-execution ||
    fail "no kubectl denial in the journal"
journal_has MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_COMM=ip ||
    fail "no CAP_NET_ADMIN denial in the journal"
journal_has MESSAGE_ID="$POLICY_FILE_WARNING" PORTCULLIS_POLICY_FILE=/etc/policies.d/deny-hostpath-mount.yaml PORTCULLIS_LINE=8 ||
    fail "no warning that the network sections are not enforced"
echo "== the audit trail: journalctl -t portcullis"
journalctl --no-pager -t portcullis -o short | sed 's/^[A-Z][a-z]* [0-9 ]* [0-9:]* //'
echo
echo "== one denial in full: journalctl -o json-pretty MESSAGE_ID=$DECISION_DENY PORTCULLIS_COMM=ip"
journalctl --no-pager -o json-pretty MESSAGE_ID="$DECISION_DENY" PORTCULLIS_COMM=ip -n 1 --output-fields=MESSAGE,PRIORITY,MESSAGE_ID,PORTCULLIS_DECISION,PORTCULLIS_HOOK,PORTCULLIS_CAPABILITY,PORTCULLIS_POLICY,PORTCULLIS_POLICY_FILE,PORTCULLIS_LINE,PORTCULLIS_RULE_ID,PORTCULLIS_GENERATION,PORTCULLIS_PID,PORTCULLIS_UID,PORTCULLIS_COMM,PORTCULLIS_EXE
kill "$DAEMON_PID"

# The seed policy deny-net-admin-capability.yaml, verbatim: no process may use
# CAP_NET_ADMIN; `ip link set lo mtu 1400` fails with EPERM, while work that
# needs no CAP_NET_ADMIN goes on.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

expect_ok ip link set lo mtu 1500
mkdir -m 0755 policies
cp "$FIXTURES/seed/deny-net-admin-capability.yaml" policies/
start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))

echo "\$ ip link set lo mtu 1400"
if out=$(ip link set lo mtu 1400 2>&1); then fail "ip link set succeeded: $out"; fi
echo "$out"
[[ $out == *"Operation not permitted"* ]] || fail "expected EPERM, got: $out"
[[ $(cat /sys/class/net/lo/mtu) == 1500 ]] || fail "the mtu changed"
expect_ok ip link show lo >/dev/null
expect_ok mount -t tmpfs none "$SCRATCH" # CAP_SYS_ADMIN is not concerned
umount "$SCRATCH"
echo "CAP_NET_ADMIN denied; ip link show and mount still work"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=capable PORTCULLIS_CAPABILITY=CAP_NET_ADMIN \
    PORTCULLIS_COMM=ip PORTCULLIS_POLICY=deny-net-admin-capability

# A process that started before the daemon is denied too: the rule's subject is everyone.
rm policies/deny-net-admin-capability.yaml
wait_until 5 ip link set lo mtu 1400
echo "policy removed: ip link set lo mtu 1400 works again"
stop_daemon

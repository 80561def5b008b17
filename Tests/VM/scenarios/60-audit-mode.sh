# Audit mode records without denying: the exec and the capability use succeed,
# and the audit trail shows what a deny would have stopped.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program watched-tool /usr/local/bin/watched-tool
mkdir -m 0755 policies
cat > policies/audit.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata:
  name: watch-only
spec:
  mode: audit
  rules:
    - exec: { path: /usr/local/bin/watched-tool }
      action: deny
    - capability: [CAP_NET_ADMIN]
      subject: { path: /usr/sbin/ip }
      action: deny
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"

expect_ok /usr/local/bin/watched-tool
expect_ok ip link set lo mtu 1400
[[ $(cat /sys/class/net/lo/mtu) == 1400 ]] || fail "the mtu did not change"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_DECISION=audit PORTCULLIS_HOOK=bprm_check_security \
    PORTCULLIS_PATH=/usr/local/bin/watched-tool
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_HOOK=capable PORTCULLIS_CAPABILITY=CAP_NET_ADMIN \
    PORTCULLIS_COMM=ip PORTCULLIS_POLICY=watch-only
echo "audit mode: both operations ran, both recorded"
grep "$DECISION_AUDIT" daemon.log | head -2
stop_daemon

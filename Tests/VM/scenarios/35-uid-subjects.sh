# Subjects with a uid condition: decided at each capability use and mount from
# the acting task's real uid, so a setuid-root program run by a user counts as
# that user. `portcullis explain --uid` predicts each decision.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -m 0755 policies
cat > policies/users.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: users }
spec:
  rules:
    - capability: [CAP_NET_ADMIN]
      subject: { uid: [1000] }
      action: deny
    - capability: [CAP_NET_ADMIN]
      subject: { uid: 1001 }
      action: audit
    - mount: { flags: [bind] }
      subject: { uid: 1000, path: /usr/bin/mount }
      action: deny
YAML
"$PORTCULLIS" check policies
for uid in 0 1000 1001 1002; do
    set +e; "$PORTCULLIS" explain capability --policy-dir policies --uid $uid CAP_NET_ADMIN >explain-$uid.txt; status[$uid]=$?; set -e
done
[[ ${status[1000]} == 1 && ${status[0]} == 0 && ${status[1001]} == 0 && ${status[1002]} == 0 ]] ||
    fail "explain: exit statuses ${status[*]}: $(cat explain-*.txt)"
grep -q "^audit" explain-1001.txt || fail "explain --uid 1001 did not predict an audit"

start_daemon policies
wait_until 60 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=3

# setpriv --ruid N: real uid N, effective uid 0, so every capability is kept.
expect_ok ip link set lo mtu 1400
expect_eperm setpriv --ruid 1000 ip link set lo mtu 1300
expect_ok setpriv --ruid 1001 ip link set lo mtu 1300
expect_ok setpriv --ruid 1002 ip link set lo mtu 1400
echo "CAP_NET_ADMIN: denied for real uid 1000, audited for 1001, allowed for 0 and 1002 (as explain said)"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_UID=1000
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_UID=1001

mkdir -p src dst
out=$(setpriv --ruid 1000 mount -o bind src dst 2>&1) && fail "uid 1000's bind mount succeeded"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount PORTCULLIS_UID=1000
expect_ok mount -o bind src dst
umount dst
expect_ok setpriv --ruid 1001 mount -o bind src dst
umount dst
echo "bind mounts: denied for mount run by real uid 1000 ($out), allowed for root and 1001"

# A process that changes its real uid without exec is judged by the new one.
python3 - <<'PY' || fail "a process turning into uid 1000 kept CAP_NET_ADMIN"
import os, subprocess
os.setresuid(1000, 0, 0)
r = subprocess.run(["ip", "link", "set", "lo", "mtu", "1500"], capture_output=True, text=True)
assert r.returncode != 0 and "Operation not permitted" in r.stderr, (r.returncode, r.stderr)
PY
echo "setresuid without exec: the new real uid is judged at the next decision"
stop_daemon >/dev/null
"$PORTCULLIS" disarm >/dev/null

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
      subject: { uid: 1000 }
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
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=3

# setpriv --ruid N: real uid N, effective uid 0, so every capability is kept.
expect_ok ip link set lo mtu 1400
expect_eperm setpriv --ruid 1000 ip link set lo mtu 1300
expect_ok setpriv --ruid 1001 ip link set lo mtu 1300
expect_ok setpriv --ruid 1002 ip link set lo mtu 1400
echo "CAP_NET_ADMIN: denied for real uid 1000, audited for 1001, allowed for 0 and 1002 (as explain said)"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_UID=1000
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_AUDIT" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_UID=1001

# mount(8) refuses to work for a real uid that is not root, so mount(2) is
# called directly, by a process that set its real uid to N (effective uid 0)
# without an exec: the uid is read at the decision, not recorded at exec.
mkdir -p src dst
bind_as() { # bind_as UID: mount(2) src on dst with MS_BIND; prints the errno name, or "ok"
    python3 - "$1" <<'PY'
import ctypes, errno, os, sys
os.setresuid(int(sys.argv[1]), 0, 0)
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.mount(b"src", b"dst", None, 4096, None)  # MS_BIND
print("ok" if rc == 0 else errno.errorcode[ctypes.get_errno()])
PY
}
[[ $(bind_as 1000) == EPERM ]] || fail "uid 1000's bind mount was not denied"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=sb_mount PORTCULLIS_UID=1000
[[ $(bind_as 0) == ok ]] || fail "root's bind mount failed"
umount dst
[[ $(bind_as 1001) == ok ]] || fail "uid 1001's bind mount failed"
umount dst
echo "bind mounts: denied for real uid 1000 (EPERM, logged), allowed for root and 1001"

stop_daemon >/dev/null

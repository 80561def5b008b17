# Capability rules and user namespaces (issue 11): a capability rule applies in
# every user namespace by default, so an unprivileged user who makes its own
# (unshare -r, as rootless containers do) is still denied; a rule written as
# `capability: { names: [...], userNamespace: initial }` applies only when the
# capability is checked against the host's initial user namespace, so the same
# user may configure its own network namespace while root on the host may not.
# `explain capability --own-user-namespace` predicts both.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

U=1000
as_user() { setpriv --reuid $U --regid $U --clear-groups -- "$@"; }

# Control, before any policy: the user may set up its own network namespace.
expect_ok as_user unshare -rn ip link set lo up
expect_ok as_user unshare -r true

mkdir -m 0755 policies
cat > policies/caps.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: userns-caps }
spec:
  rules:
    - capability: [CAP_NET_ADMIN]
      subject: { uid: 1000 }
      action: deny
YAML
"$PORTCULLIS" explain capability --uid $U CAP_NET_ADMIN --policy-dir policies >/dev/null && fail "explain: not denied"
"$PORTCULLIS" explain capability --uid $U --own-user-namespace CAP_NET_ADMIN --policy-dir policies >/dev/null &&
    fail "explain: not denied in the user's own user namespace"
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

# Every user namespace: the user's own namespace does not lift the rule.
expect_ok as_user unshare -r true
expect_eperm as_user unshare -rn ip link set lo up
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_UID=$U
expect_ok ip link set lo mtu 1400
echo "a rule for every user namespace: uid $U is denied CAP_NET_ADMIN inside unshare -rn; root on the host is not"

# The initial user namespace only: the host is protected, the user's own namespace is its own.
cat > policies/caps.yaml.new <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: userns-caps }
spec:
  rules:
    - capability: { names: [CAP_NET_ADMIN], userNamespace: initial }
      action: deny
YAML
mv policies/caps.yaml.new policies/caps.yaml
wait_until 30 generation_after $((G0 + 1))
"$PORTCULLIS" explain capability CAP_NET_ADMIN --policy-dir policies >/dev/null && fail "explain: not denied on the host"
"$PORTCULLIS" explain capability --own-user-namespace CAP_NET_ADMIN --policy-dir policies >/dev/null ||
    fail "explain: denied in a user namespace of its own"
expect_eperm ip link set lo mtu 1300
expect_ok as_user unshare -rn ip link set lo up
expect_ok unshare -rn ip link set lo up
echo "a rule for the initial user namespace: root is denied CAP_NET_ADMIN on the host, allowed in unshare -rn (as root and as uid $U)"

rm policies/caps.yaml
wait_until 30 generation_after $((G0 + 2))
expect_ok ip link set lo mtu 1500
stop_daemon

# Texts the kernel cannot read whole never lift a rule (issue 11, three-valued
# conditions): a deny applies when its conditions hold or are unknown; an
# `except` or an `allow` only when they are known to hold. Each attack is run
# as an unprivileged user (uid 1000), each with a control that shows the rule
# still allows what it should:
# - a cgroup 20 levels deep, and one whose path is longer than 256 bytes, made
#   by the user in its delegated subtree, do not meet `except: { unit: ... }`;
# - an argv[0] of 300 bytes (the arguments cannot be found) does not meet an
#   `except` on the caller's arguments, nor an exec `allow` with `argsRegex`;
# - more than 4 KiB of arguments does not meet that `allow` either;
# - an executable path longer than 256 bytes does not meet an `except` by
#   `pathRegex` that might match past the cut.
# Each such denial is logged with PORTCULLIS_UNKNOWN=condition.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

CG=/sys/fs/cgroup
U=1000
[[ -f $CG/cgroup.procs ]] || fail "no cgroup2 hierarchy at $CG"
cleanup() {
    local d
    for d in $(find $CG/pcu.slice -depth -type d 2>/dev/null); do
        while read -r pid; do echo "$pid" >$CG/cgroup.procs 2>/dev/null || true; done <"$d/cgroup.procs"
        rmdir "$d" 2>/dev/null || true
    done
}
on_fail() { cleanup; }
cleanup

# The programs the rules name, executable by the user.
mkdir -p /opt/pcu
unique_program tool /opt/pcu/tool
unique_program tool2 /opt/pcu/tool2
unique_program tool3 /opt/pcu/tool3
chmod 0755 /opt/pcu /opt/pcu/tool /opt/pcu/tool2 /opt/pcu/tool3
HOME_U=$(mktemp -d /tmp/pcu-home.XXXXXX)
chown $U:$U "$HOME_U"
chmod 0755 "$HOME_U"

# A delegated subtree, as systemd gives a user's service (Delegate=yes): the
# user owns pcu-ci.service and may create and move into cgroups below it.
mkdir -p $CG/pcu.slice/pcu-ci.service
chown $U:$U $CG/pcu.slice/pcu-ci.service $CG/pcu.slice/pcu-ci.service/cgroup.procs \
    $CG/pcu.slice/pcu-ci.service/cgroup.subtree_control $CG/pcu.slice/pcu-ci.service/cgroup.threads

# as_user CMD...: runs CMD as uid 1000 in the delegated cgroup (started there by root).
as_user() {
    bash -c 'echo $$ >/sys/fs/cgroup/pcu.slice/pcu-ci.service/cgroup.procs || exit 99
             exec setpriv --reuid '$U' --regid '$U' --clear-groups -- "$@"' _ "$@"
}
LONG0=$(printf 'a%.0s' {1..300})
LONGNAME=$(printf 'n%.0s' {1..250})

mkdir -m 0755 policies
cat > policies/unknown.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: unknown-texts }
spec:
  rules:
    # uid 1000 may run tool only from the CI unit.
    - exec: { path: /opt/pcu/tool }
      subject:
        uid: 1000
        except: [{ unit: pcu-ci.service }]
      action: deny
YAML
cat > policies/args.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: unknown-args }
spec:
  rules:
    # tool2 runs only as `tool2 --version`.
    - exec: { path: /opt/pcu/tool2 }
      action: deny
    - exec: { path: /opt/pcu/tool2, argsRegex: "^--version$" }
      action: allow
    # tool3 only from env PCU_TRUSTED=1, or from a program named pcu-runner.
    - exec: { path: /opt/pcu/tool3 }
      subject:
        except:
          - { path: /usr/bin/env, argsRegex: "^PCU_TRUSTED=1 " }
          - { pathRegex: "/pcu-runner$" }
      action: deny
YAML
"$PORTCULLIS" check policies >check.txt 2>&1 || fail "check: $(cat check.txt)"

start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

# unknown_logged PATH: a deny of PATH was logged as decided on unknown input.
unknown_logged() { daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH="$1" PORTCULLIS_UNKNOWN=condition; }

# (1) The cgroup exception. Control: in pcu-ci.service the user may; as root elsewhere, too.
expect_ok as_user /opt/pcu/tool
expect_ok /opt/pcu/tool
# Outside the unit (root places the shell in pcu.slice, then becomes the user): denied.
expect_eperm bash -c 'echo $$ >/sys/fs/cgroup/pcu.slice/cgroup.procs; exec setpriv --reuid '$U' --regid '$U' --clear-groups -- /opt/pcu/tool'
echo "control: uid $U runs tool in pcu-ci.service, is denied in pcu.slice"
# Attack: the user moves itself 20 levels deep inside its subtree, then runs tool.
deep=$(printf '/l%d' {1..20})
expect_eperm as_user bash -c 'mkdir -p /sys/fs/cgroup/pcu.slice/pcu-ci.service'"$deep"' &&
    echo $$ >/sys/fs/cgroup/pcu.slice/pcu-ci.service'"$deep"'/cgroup.procs && exec /opt/pcu/tool'
wait_until 10 unknown_logged /opt/pcu/tool
# Attack: a cgroup whose path is longer than 256 bytes, at depth 3.
expect_eperm as_user bash -c 'mkdir -p /sys/fs/cgroup/pcu.slice/pcu-ci.service/'"$LONGNAME"' &&
    echo $$ >/sys/fs/cgroup/pcu.slice/pcu-ci.service/'"$LONGNAME"'/cgroup.procs && exec /opt/pcu/tool'
# Control: one level below the unit, the exception holds (a known path).
expect_ok as_user bash -c 'mkdir -p /sys/fs/cgroup/pcu.slice/pcu-ci.service/job &&
    echo $$ >/sys/fs/cgroup/pcu.slice/pcu-ci.service/job/cgroup.procs && exec /opt/pcu/tool'
echo "a cgroup 20 levels deep or over 256 bytes in the user's subtree does not meet the unit exception"

# (2) An exec allow with argsRegex. Control: `tool2 --version` runs, `tool2 x` is denied.
expect_ok as_user /opt/pcu/tool2 --version >/dev/null
status=0; as_user /opt/pcu/tool2 x || status=$?
((status == 137)) || fail "tool2 x: exit status $status, expected 137 (killed after exec)"
# Attack: argv[0] of 300 bytes; arguments over 4 KiB.
status=0; as_user bash -c 'exec -a "'"$LONG0"'" /opt/pcu/tool2 --version' || status=$?
((status == 137)) || fail "tool2 --version with a 300-byte argv[0]: exit status $status, expected 137"
wait_until 10 unknown_logged /opt/pcu/tool2
status=0; as_user /opt/pcu/tool2 --version "$(head -c 5000 /dev/zero | tr '\0' v)" || status=$?
((status == 137)) || fail "tool2 with 5000 bytes of arguments: exit status $status, expected 137"
echo "argsRegex allow: met by --version, not by a 300-byte argv[0] nor by arguments over 4 KiB"

# (3) Exceptions on the caller. Controls: env PCU_TRUSTED=1 may, env OTHER=1 may not;
# a program named pcu-runner may, one named other-runner may not.
expect_ok as_user env PCU_TRUSTED=1 /opt/pcu/tool3
expect_eperm as_user env OTHER=1 /opt/pcu/tool3
# Attack: the same env, with a 300-byte argv[0]: its arguments are unknown.
expect_eperm as_user bash -c 'exec -a "'"$LONG0"'" env PCU_TRUSTED=1 /opt/pcu/tool3'
wait_until 10 unknown_logged /opt/pcu/tool3
mkdir -p "$HOME_U/short" "$HOME_U/$LONGNAME/x"
cp /usr/bin/bash "$HOME_U/short/pcu-runner"
cp /usr/bin/bash "$HOME_U/short/other-runner"
cp /usr/bin/bash "$HOME_U/$LONGNAME/x/pcu-runner"
chmod -R a+rX "$HOME_U"
expect_ok as_user "$HOME_U/short/pcu-runner" -c '/opt/pcu/tool3; exit $?'
expect_eperm as_user "$HOME_U/short/other-runner" -c '/opt/pcu/tool3; exit $?'
# Attack: the runner's path is longer than 256 bytes: cut where the pattern may still match.
expect_eperm as_user "$HOME_U/$LONGNAME/x/pcu-runner" -c '/opt/pcu/tool3; exit $?'
echo "caller exceptions: not met by a 300-byte argv[0] nor by an executable path over 256 bytes"

stop_daemon
cleanup
rm -rf /opt/pcu "$HOME_U"

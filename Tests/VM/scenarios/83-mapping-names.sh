# Executable mappings judged by name first (issue 10): the exec DFA's last
# components let the mapping hook allow a library whose name ends no rule's
# path without reading its whole path. What must still be read whole, and is
# denied: a mapping whose name may match (the loader trick on a denied
# program), a file whose identity a rule names under another name (a hard
# link), and a file that is itself the root of a mount (a bind-mounted file:
# its host path ends in the mount point's name, not its own). Controls: the
# loader runs programs no rule names, and programs map their libraries.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
mkdir -p /opt/pcu-names
unique_program forbidden-tool /usr/local/bin/forbidden-tool
unique_program forb-abc /usr/local/bin/forb-abc
unique_program blob /opt/pcu-names/blob
ln /usr/local/bin/forbidden-tool /usr/local/bin/innocent-name # the same file, another name
touch /usr/local/bin/forb-xyz
cleanup() {
    umount /usr/local/bin/forb-xyz 2>/dev/null || true
    rm -rf /opt/pcu-names
}
on_fail() { cleanup; }

mkdir -m 0755 policies
cat > policies/names.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: forbidden-names }
spec:
  rules:
    - exec: { path: /usr/local/bin/forbidden-tool }
      action: deny
    - exec: { pathRegex: "^/usr/local/bin/forb-[a-z]+$" }
      action: deny
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"

# refused_mapping PROGRAM: the loader cannot map PROGRAM.
refused_mapping() {
    local out
    out=$("$loader" "$1" 2>&1) && fail "the loader ran $1"
    [[ $out == *"failed to map segment"* ]] || fail "$loader $1: expected a refused mapping, got: $out"
}
expect_eperm /usr/local/bin/forb-abc
refused_mapping /usr/local/bin/forb-abc
refused_mapping /usr/local/bin/forbidden-tool
echo "a name that ends a rule's path: mapping refused"

refused_mapping /usr/local/bin/innocent-name
expect_eperm /usr/local/bin/innocent-name
echo "a hard link of a denied program under a name no rule ends in: refused by identity"

expect_ok "$loader" /opt/pcu-names/blob
expect_ok /opt/pcu-names/blob
mount --bind /opt/pcu-names/blob /usr/local/bin/forb-xyz
# The daemon follows the mount table; until it has, the file is not yet a mount's root to the rules.
exec_refused() { ! /opt/pcu-names/blob 2>/dev/null; }
wait_until 10 exec_refused
refused_mapping /opt/pcu-names/blob
expect_eperm /opt/pcu-names/blob
echo "a file bind-mounted at /usr/local/bin/forb-xyz: its host path is the mount point's, refused under its own name too"

# The same as an unprivileged attacker: in its own user and mount namespace it
# bind-mounts the denied program over a file of an innocent name, then runs it
# and maps it with the loader. The mapped file is that private mount's root and
# the host has no such mount: its host path is read, and it is the program's.
touch /opt/pcu-names/innocent
in_private_ns() { # COMMAND...: as uid 1000, in a user and mount namespace of its own, with the bind mount
    setpriv --reuid 1000 --regid 1000 --clear-groups -- unshare -rm sh -c \
        'mount --bind /usr/local/bin/forbidden-tool /opt/pcu-names/innocent && exec "$@"' sh "$@"
}
out=$(in_private_ns "$loader" /opt/pcu-names/innocent 2>&1) && fail "the loader ran the bind-mounted program in a private namespace"
[[ $out == *"failed to map segment"* ]] || fail "the loader in a private namespace: expected a refused mapping, got: $out"
out=$(in_private_ns /opt/pcu-names/innocent 2>&1) && fail "the bind-mounted program ran in a private namespace"
[[ $out == *"Operation not permitted"* ]] || fail "the bind-mounted program in a private namespace: expected EPERM, got: $out"
has_entry daemon.log MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=mmap_file PORTCULLIS_UID=1000 \
    PORTCULLIS_PATH=/usr/local/bin/forbidden-tool || fail "no deny entry naming the mapped program's host path for uid 1000"
out=$(in_private_ns "$loader" /usr/bin/true 2>&1) || fail "control: the loader in a private namespace: $out"
echo "uid 1000 in its own user and mount namespace, the denied program bind-mounted as /opt/pcu-names/innocent: exec and mapping refused"

expect_ok "$loader" /usr/bin/true
expect_ok python3 -c 'import ctypes; ctypes.CDLL("libbpf.so.1")'
expect_ok /usr/bin/true
echo "controls: the loader runs /usr/bin/true, python maps libbpf"
stop_daemon
cleanup

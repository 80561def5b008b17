# Proves the VM harness provides what the other scenarios rely on.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

echo "kernel $(uname -r), root on $(findmnt -n -o FSTYPE /), binary $PORTCULLIS"

# The scenario's own environment.
[[ $(id -u) == 0 ]] || fail "not running as root: $(id)"
[[ $PORTCULLIS_KERNEL == "$(uname -r)" ]] || fail "PORTCULLIS_KERNEL=$PORTCULLIS_KERNEL, uname -r says $(uname -r)"
[[ $SCRATCH == /* && $(pwd -P) == "$SCRATCH" ]] || fail "cwd $(pwd -P) is not SCRATCH=$SCRATCH"
[[ -z $(ls -A) ]] || fail "scratch directory is not empty: $(ls -A)"
[[ $PORTCULLIS == /* && -x $PORTCULLIS ]] || fail "PORTCULLIS=$PORTCULLIS is not an executable absolute path"
[[ $(type -P "${PORTCULLIS##*/}") == "$PORTCULLIS" ]] || fail "PATH does not find $PORTCULLIS first: $PATH"

# The kernel: BPF LSM active, BTF available.
lsm=$(cat /sys/kernel/security/lsm)
[[ ,$lsm, == *,bpf,* ]] || fail "bpf is not an active LSM: $lsm"
[[ -f /sys/kernel/btf/vmlinux ]] || fail "/sys/kernel/btf/vmlinux is missing"

# No rule in force: nothing is pinned (the first scenario of a boot), or the
# harness reset the policy to a generation without rules (a shared boot).
if [[ -e /sys/fs/bpf/portcullis ]]; then
    "$PORTCULLIS" status --json >status.json || fail "status failed: $(cat status.json)"
    python3 -c 'import json, sys; s = json.load(open("status.json")); assert s["ruleCount"] == 0, s' ||
        fail "rules in force at the start: $(cat status.json)"
    rm status.json
fi

# Fresh kernel filesystems.
while read -r target type; do
    actual=$(findmnt -n -o FSTYPE --mountpoint "$target") || fail "nothing mounted on $target"
    [[ $actual == "$type" ]] || fail "$target is $actual, expected $type"
done <<'MOUNTS'
/proc proc
/sys sysfs
/dev devtmpfs
/dev/pts devpts
/dev/shm tmpfs
/run tmpfs
/sys/fs/bpf bpf
/sys/kernel/security securityfs
/sys/fs/cgroup cgroup2
MOUNTS

# The host's real userland, not busybox.
mount_path=$(readlink -f /usr/bin/mount)
[[ $mount_path != *busybox* ]] || fail "/usr/bin/mount resolves to $mount_path"
[[ $(mount --version) == *util-linux* ]] || fail "mount is not util-linux: $(mount --version)"
[[ $(ip -V) == *iproute2* ]] || fail "ip is not iproute2: $(ip -V)"

# A writable root whose changes stay in the guest.
expect_ok touch /usr/local/bin/x
expect_ok rm /usr/local/bin/x

# The helpers themselves.
expect_eperm setpriv --reuid=65534 --regid=65534 --clear-groups chown 0:0 "$SCRATCH"
(sleep 0.3 && touch "$SCRATCH/flag") &
wait_until 5 test -e "$SCRATCH/flag"

echo "harness sanity: all checks passed"

# vm: fresh-boot (the btrfs module must not be loaded when the programs are)
# Host paths on a btrfs mounted after the programs were loaded (issue 11):
# the programs then have no btrfs types and key a btrfs directory by its
# superblock's device, which every subvolume shares, so a path found that way
# may be another subvolume's. The daemon marks those keys unreadable: with
# exec rules in force, every program on that filesystem is denied and logged
# with PORTCULLIS_UNKNOWN=path (fail closed, the entry naming the file as the
# caller sees it), none runs under a wrong path.
# Control: programs elsewhere run. (A btrfs mounted before portcullis starts,
# as local-fs.target does, loads the module first: 94-btrfs-subvolumes.sh.)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

BB=/usr/bin/busybox
! grep -qw btrfs /proc/filesystems || fail "btrfs is already loaded: the test needs a kernel without it"
mkdir -m 0755 policies
cat > policies/btrfs.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: btrfs-late }
spec:
  rules:
    - exec: { pathPrefix: /srv/sb/ }
      action: deny
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

modprobe -a btrfs loop
btrfs_with_subvolumes @a @b
on_fail() {
    grep btrfs /proc/self/mountinfo || true
    btrfs_cleanup /srv/sa /srv/sb
}
cp $BB /mnt/top/@a/true
cp $BB /mnt/top/@b/true
umount /mnt/top
mkdir -p /srv/sa /srv/sb
mount -o subvol=@a "$BTRFS_DEV" /srv/sa
mount -o subvol=@b "$BTRFS_DEV" /srv/sb

# Once the daemon's table has the mounts (it rereads mountinfo on the kernel's signal).
wait_until 10 denied /srv/sa/true
expect_eperm /srv/sb/true
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_UNKNOWN=path PORTCULLIS_PATH=/srv/sb/true
echo "a btrfs mounted after the programs loaded: its programs are denied, path unknown (fail closed), the entry naming the file as the caller sees it"
expect_ok /usr/bin/true
echo "control: programs elsewhere run"

stop_daemon
btrfs_cleanup /srv/sa /srv/sb

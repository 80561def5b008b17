# Host paths and file identities on btrfs (issue 11): every subvolume numbers
# its inodes afresh under one superblock device (each subvolume's root is
# inode 256). Keyed by that device alone, two subvolumes mounted apart were one
# mount to the host-path walk, which stopped at any subvolume's root: with @a
# on /srv/sa, @b on /srv/sb and the top level on /mnt/top, `pathPrefix:
# /srv/sb/` let /srv/sb/true run (it read as /mnt/top/true); and a file of @b
# was a file of @a with the same inode number, so an `allow` naming @a's file
# by its literal path, with a condition (which silences its policy across
# the path and the identity), granted it. The programs now key a btrfs file by its
# subvolume's own device (the btrfs module's types, through its BTF), as the
# daemon does: /srv/sb/true is denied by that path and through /mnt/top/@b, a
# nested subvolume's program by its path under its parent's mount (one an
# unprivileged user made too), and @a's
# allowed file, bound at /srv/sb/tool, runs there while @b's file of the same
# inode number is denied. Controls: @a's programs run, by both paths.
# vm: modules btrfs loop (the programs take the btrfs types from its BTF at load; a loop device holds the filesystem)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

BB=/usr/bin/busybox
btrfs_with_subvolumes @a @b
on_fail() {
    grep btrfs /proc/self/mountinfo || true
    btrfs_cleanup /srv/sb/tool /srv/sa /srv/sb
}
cp /usr/bin/true /mnt/top/@a/tool            # @a's first inode: 257
cp $BB /mnt/top/@b/true                       # @b's first: 257 as well
cp $BB /mnt/top/@a/true
btrfs -q subvolume create /mnt/top/@a/nested
cp $BB /mnt/top/@a/nested/true
mkdir -p /srv/sa /srv/sb
mount -o subvol=@a "$BTRFS_DEV" /srv/sa
mount -o subvol=@b "$BTRFS_DEV" /srv/sb
touch /srv/sb/tool
mount --bind /srv/sa/tool /srv/sb/tool
[[ $(stat -c %i /srv/sa/tool) == "$(stat -c %i /srv/sb/true)" ]] ||
    fail "the test needs @a/tool and @b/true to share an inode number ($(stat -c %i /srv/sa/tool /srv/sb/true | tr '\n' ' '))"
[[ $(stat -c %d /srv/sa) != "$(stat -c %d /srv/sb)" ]] || fail "the subvolumes share a device"

mkdir -m 0755 policies
cat > policies/btrfs.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: btrfs-subvolumes }
spec:
  rules:
    - exec: { pathPrefix: /srv/sb/ }
      action: deny
    - exec: { pathPrefix: /srv/sa/nested/ }
      action: deny
    - exec: { path: /srv/sa/tool }
      subject: { uid: 0 }
      action: allow
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

expect_ok /srv/sa/true
expect_ok /mnt/top/@a/true
echo "control: @a's program runs, at /srv/sa/true and /mnt/top/@a/true"

expect_eperm /srv/sb/true
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/srv/sb/true
expect_eperm /mnt/top/@b/true
echo "@b's program: denied at /srv/sb/true (logged by that path) and through /mnt/top/@b"
expect_ok /srv/sb/tool
echo "@a's allowed file, bound at /srv/sb/tool, runs there (by its identity); @b's file of the same inode number does not"

expect_eperm /srv/sa/nested/true
expect_eperm /mnt/top/@a/nested/true
echo "a nested subvolume's program: denied as /srv/sa/nested/true, by both paths"
# An unprivileged user's own subvolume (btrfs needs no privilege for it in a
# directory of one's own): its programs keep their path under the mount.
mkdir /srv/sa/nested/u1000
chown 1000:1000 /srv/sa/nested/u1000
setpriv --reuid 1000 --regid 1000 --clear-groups -- btrfs -q subvolume create /srv/sa/nested/u1000/sv
setpriv --reuid 1000 --regid 1000 --clear-groups -- cp $BB /srv/sa/nested/u1000/sv/true
out=$(setpriv --reuid 1000 --regid 1000 --clear-groups -- /srv/sa/nested/u1000/sv/true 2>&1) &&
    fail "uid 1000's program in a subvolume of its own ran under pathPrefix: /srv/sa/nested/"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/srv/sa/nested/u1000/sv/true PORTCULLIS_UID=1000
echo "uid 1000's own subvolume: its program denied as /srv/sa/nested/u1000/sv/true"

stop_daemon
btrfs_cleanup /srv/sb/tool /srv/sa /srv/sb

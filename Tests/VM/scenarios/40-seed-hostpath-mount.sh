# The seed policy deny-hostpath-mount.yaml, verbatim: /usr/bin/mount run with
# bind options may not use CAP_SYS_ADMIN, so the bind mount fails; mount -t
# tmpfs still works. Its network sections are reported as not enforced.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -m 0755 policies src dst tmp
cp "$FIXTURES/seed/deny-hostpath-mount.yaml" policies/
start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))
has_entry daemon.log MESSAGE_ID="$POLICY_FILE_WARNING" PRIORITY=4 \
    PORTCULLIS_FILE=policies/deny-hostpath-mount.yaml PORTCULLIS_LINE=8 PORTCULLIS_COLUMN=3 \
    "MESSAGE~^policies/deny-hostpath-mount\\.yaml:8:3: warning: 'policyTypes' is network policy" ||
    fail "no warning about the network sections"

echo "\$ mount -o bind src dst"
if out=$(/usr/bin/mount -o bind src dst 2>&1); then fail "the bind mount succeeded: $out"; fi
echo "$out"
findmnt "$SCRATCH/dst" >/dev/null && fail "dst is mounted"
if out=$(/usr/bin/mount --bind src dst 2>&1); then
    echo "note: 'mount --bind' (no '-o') is not matched by the seed's argsRegex '.*-o.*bind.*': $out"
    umount dst
fi
expect_ok /usr/bin/mount -t tmpfs none tmp
findmnt "$SCRATCH/tmp" >/dev/null || fail "tmpfs not mounted"
umount tmp
echo "bind mount denied; mount -t tmpfs works"
stop_daemon

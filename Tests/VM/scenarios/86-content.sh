# Content identity (issue 16): a denied program stays denied under any name.
# A literal-path deny rule also denies the content of the file there: a copy
# in /tmp (as root and as an unprivileged user), a memfd + fexecve, the
# loader trick on a copy, a hard link left behind once the original is
# deleted, and a renamed file. `sha256:` rules deny content anywhere, and
# with a path both must hold. Controls: a copy with one byte changed runs
# (documented), `matchCopies: false` keeps a rule to its path, the rule
# follows the file at its path when it is upgraded, by a new file or in place
# (old copies then run), a file the kernel hashed once is hashed again
# after it is rewritten in place, and the daemon's digests outlive its restart
# (its cache), unless others could have written them.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

U=1000
as_user() { setpriv --reuid $U --regid $U --clear-groups -- "$@"; }
WORK=/opt/pccontent
mkdir -p "$WORK/and"
SCRATCH=$(mktemp -d /tmp/pccontent.XXXXXX)
chmod 0777 "$SCRATCH"
cleanup() { rm -rf "$WORK" "$SCRATCH"; }
on_fail() { cleanup; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

unique_program forbidden "$WORK/forbidden"
unique_program blob "$WORK/blob"
unique_program and "$WORK/and/tool"
unique_program volatile "$WORK/volatile"
unique_program chameleon "$WORK/chameleon"
cp "$WORK/forbidden" "$SCRATCH/original-forbidden"
FORBIDDEN_SHA=$(sha "$WORK/forbidden")

mkdir -m 0755 policies
cat > policies/content.yaml <<YAML
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: content }
spec:
  rules:
    - exec: { path: $WORK/forbidden }
      action: deny
    - exec: { sha256: $(sha "$WORK/blob") }
      action: deny
    - exec: { pathPrefix: $WORK/and/, sha256: [$(sha "$WORK/and/tool")] }
      action: deny
    - exec: { path: $WORK/volatile, matchCopies: false }
      action: deny
YAML
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"

# The literal path, and its content under other names.
expect_eperm "$WORK/forbidden"
cp "$WORK/forbidden" "$SCRATCH/k"
expect_eperm "$SCRATCH/k"
as_user cp "$WORK/forbidden" "$SCRATCH/user-k"
expect_eperm as_user "$SCRATCH/user-k"
expect_eperm as_user unshare -r "$SCRATCH/user-k"
echo "closed: a copy in /tmp, as root, as uid $U, and as uid $U in a user namespace of its own"
wait_until 10 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH="$SCRATCH/k" PORTCULLIS_SHA256="$FORBIDDEN_SHA"
echo "the denial names the content: PORTCULLIS_SHA256=$FORBIDDEN_SHA"

cat > "$SCRATCH/memfd.py" <<'PY'
import os, sys
data = open(sys.argv[1], "rb").read()
fd = os.memfd_create("copy", 0)
os.write(fd, data)
ro = os.open("/proc/self/fd/%d" % fd, os.O_RDONLY)  # exec refuses a file open for writing
os.close(fd)
try:
    os.execve(ro, ["copy"], {})
except OSError as e:
    sys.exit(e.errno)
PY
status=0
as_user python3 "$SCRATCH/memfd.py" "$SCRATCH/user-k" || status=$?
((status == 1)) || fail "uid $U ran the denied content from a memfd: exit status $status, expected 1 (EPERM)"
echo "closed: memfd_create + fexecve of the denied bytes"

LDSO=$(readlink -f /lib64/ld-linux-x86-64.so.2)
out=$("$LDSO" "$SCRATCH/k" 2>&1) && fail "the loader ran the denied content"
[[ $out == *"failed to map segment"* ]] || fail "$LDSO $SCRATCH/k: expected a refused mapping, got: $out"
echo "closed: the loader trick on a copy (mmap_file)"

# One byte changed: other content (documented in the bypass table).
cp "$SCRATCH/k" "$SCRATCH/k1"
printf 'X' | dd of="$SCRATCH/k1" bs=1 seek=$(($(stat -c %s "$SCRATCH/k1") - 1)) conv=notrunc status=none
expect_ok "$SCRATCH/k1"
echo "open (documented): a copy with one byte changed runs"

# A hard link left behind, the original deleted; then the link renamed.
generation=$(last_generation)
ln "$WORK/forbidden" "$WORK/left-behind"
rm "$WORK/forbidden"
wait_until 10 generation_after "$generation" # the file's identity is gone with its path; its content stays denied
expect_eperm "$WORK/left-behind"
mv "$WORK/left-behind" "$WORK/renamed"
expect_eperm "$WORK/renamed"
expect_eperm "$SCRATCH/k"
echo "closed: a hard link left behind once the original is deleted, and the same file renamed"

# sha256 rules: the content anywhere; with a path, both.
cp "$WORK/blob" "$SCRATCH/b"
expect_eperm "$WORK/blob"
expect_eperm "$SCRATCH/b"
expect_eperm "$WORK/and/tool"
cp "$WORK/and/tool" "$SCRATCH/t"
expect_ok "$SCRATCH/t"
unique_program and-other "$WORK/and/other"
expect_ok "$WORK/and/other"
echo "sha256: denied anywhere; with a pathPrefix, only where both hold"

# matchCopies: false keeps the rule to its path.
expect_eperm "$WORK/volatile"
cp "$WORK/volatile" "$SCRATCH/v"
expect_ok "$SCRATCH/v"
echo "matchCopies: false: the path denied, a copy runs"

# The rule follows the file at its path: a new program installed there.
generation=$(last_generation)
unique_program upgraded "$SCRATCH/new"
install -m 0755 "$SCRATCH/new" "$WORK/forbidden"
wait_until 10 generation_after "$generation"
cp "$WORK/forbidden" "$SCRATCH/new-copy"
expect_eperm "$SCRATCH/new-copy"
expect_ok "$SCRATCH/original-forbidden"
echo "upgraded: the new content is denied under any name, the old one runs again"

# Upgraded in place (the same inode rewritten): the rule follows again.
generation=$(last_generation)
unique_program in-place "$SCRATCH/newer"
cat "$SCRATCH/newer" >"$WORK/forbidden"
wait_until 10 generation_after "$generation"
cp "$SCRATCH/newer" "$SCRATCH/newer-copy"
expect_eperm "$SCRATCH/newer-copy"
expect_ok "$SCRATCH/new-copy"
echo "rewritten in place: the newer content is denied under any name, the one before runs again"

# A file the kernel hashed, rewritten in place (same inode) with denied bytes:
# the digest it kept of the old bytes is forgotten.
expect_ok "$WORK/chameleon"
cat "$SCRATCH/newer" >"$WORK/chameleon"
expect_eperm "$WORK/chameleon"
echo "closed: a file hashed once, rewritten in place with denied bytes, is hashed again"

# Across a restart: the digests the daemon read are kept in its cache
# (/var/cache/portcullis), so the denied file renamed away while no daemon ran
# still has its digest in the next daemon's first generation, and a copy stays denied.
stop_daemon >/dev/null
mv "$WORK/forbidden" "$SCRATCH/moved-away"
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"
expect_eperm "$SCRATCH/moved-away"
expect_eperm "$SCRATCH/newer-copy"
CACHE=/var/cache/portcullis
[[ $(stat -c '%U %a' "$CACHE/content-digests") == "root 600" ]] ||
    fail "$CACHE/content-digests: $(stat -c '%U %a' "$CACHE/content-digests" 2>&1), expected root 600"
grep -q "^$(sha "$SCRATCH/moved-away") .* $WORK/forbidden$" "$CACHE/content-digests" ||
    fail "the cache lacks the renamed file's digest: $(cat "$CACHE/content-digests")"
echo "closed: restarted after the denied file was renamed away, its digest comes from the cache: the file and a copy stay denied"

# A cache others could have written is not used (and said so): the file is read again.
stop_daemon >/dev/null
mv "$SCRATCH/moved-away" "$WORK/forbidden"
chmod 0666 "$CACHE/content-digests"
start_daemon policies
wait_started
wait_until "$START_SECONDS" generation_after "$G0"
daemon_logged MESSAGE_ID=0e29883e68ef446a8b406ddec3de857e PORTCULLIS_CACHE_DIR="$CACHE" ||
    fail "no entry saying the cache was not used"
expect_eperm "$SCRATCH/newer-copy"
[[ $(stat -c '%a' "$CACHE/content-digests") == 600 ]] || fail "the cache was not written again, mode 0600"
echo "closed: a cache writable by others is not used (logged), the file is read again, and the cache written anew"

stop_daemon
cleanup

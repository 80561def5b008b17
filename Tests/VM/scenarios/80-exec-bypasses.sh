# The usual ways around an exec rule, each tried for real:
# /bin vs /usr/bin, a relative path, a symlink, a hardlink, a bind-mounted copy
# of the directory, execveat(AT_EMPTY_PATH) on an fd, the loader trick
# (ld.so PROGRAM), mmap + mprotect(PROT_EXEC), a script whose #! names the
# program, and a replaced file (new inode) reached through a new hardlink.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

# The denied program lives on a filesystem of its own (tmpfs), as /usr/bin does on a real host.
mkdir -p /srv/tools /mnt/tools
mount -t tmpfs tools /srv/tools
unique_program forbidden /srv/tools/forbidden
unique_program forbidden-too /usr/bin/forbidden-too
mkdir -m 0755 policies
cat > policies/forbidden.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-forbidden }
spec:
  rules:
    - exec: { path: [/srv/tools/forbidden, /usr/bin/forbidden-too] }
      action: deny
YAML
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"

expect_eperm /srv/tools/forbidden
echo "baseline: /srv/tools/forbidden denied"

expect_eperm /bin/forbidden-too
echo "closed: /bin/forbidden-too (merged /usr) is /usr/bin/forbidden-too"

(cd /srv/tools && expect_eperm ./forbidden)
ln -s /srv/tools/forbidden link && expect_eperm ./link
echo "closed: relative path, symlink"

ln /srv/tools/forbidden /srv/tools/innocent
expect_eperm /srv/tools/innocent
echo "closed: hardlink (matched by file identity)"

mount --bind /srv/tools /mnt/tools
expect_eperm /mnt/tools/forbidden
echo "closed: bind-mounted copy of the directory"

out=$(python3 -c 'import os; fd = os.open("/srv/tools/forbidden", os.O_RDONLY); os.execve(fd, ["forbidden"], {})' 2>&1) &&
    fail "execveat on an fd ran the program"
[[ $out == *"Operation not permitted"* ]] || fail "execveat: expected EPERM, got: $out"
echo "closed: execveat(AT_EMPTY_PATH) on an fd"

loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
out=$("$loader" /srv/tools/forbidden 2>&1) && fail "the loader ran the program: $out"
[[ $out == *"failed to map segment"* ]] || fail "loader trick: expected a refused mapping, got: $out"
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=mmap_file PORTCULLIS_PATH=/srv/tools/forbidden
echo "closed: $loader /srv/tools/forbidden ($out)"

python3 - <<'PY' || fail "mmap + mprotect(PROT_EXEC) of the program was allowed"
import ctypes, mmap, os
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open("/srv/tools/forbidden", os.O_RDONLY)
addr = libc.mmap(None, 4096, mmap.PROT_READ, mmap.MAP_PRIVATE, fd, 0)
assert addr not in (None, ctypes.c_void_p(-1).value), "mmap failed"
rc = libc.mprotect(ctypes.c_void_p(addr), 4096, mmap.PROT_READ | mmap.PROT_EXEC)
raise SystemExit(0 if rc == -1 and ctypes.get_errno() == 1 else 1)
PY
wait_until 5 daemon_logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=file_mprotect PORTCULLIS_COMM=python3
echo "closed: mmap(PROT_READ) then mprotect(PROT_EXEC) (logged as file_mprotect)"

printf '#!/srv/tools/forbidden\n' > script.sh && chmod +x script.sh
expect_eperm ./script.sh
echo "closed: a script whose #! names the program"

# A package upgrade replaces the file: new inode. A hardlink to the new one is denied too.
before=$(last_generation)
unique_program forbidden-new /srv/tools/forbidden.new && mv /srv/tools/forbidden.new /srv/tools/forbidden
wait_until 5 generation_after "$before"
ln /srv/tools/forbidden /srv/tools/innocent2
expect_eperm /srv/tools/innocent2
echo "closed: the replaced file, through a new hardlink"

# A copy is another file, with the same content (issue 16: 86-content.sh tries the rest).
cp /srv/tools/forbidden /srv/tools/copy
expect_eperm /srv/tools/copy
echo "closed: a copy of the program's bytes under another path (denied by content)"
stop_daemon

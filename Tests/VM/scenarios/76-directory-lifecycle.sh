# The policy directory as config management treats it: deleted and
# recreated, moved away and replaced, a symlink swapped to another directory,
# `..data` symlink swaps inside it; files that cannot be read; bad YAML that
# keeps its last good version.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

for t in a b c d e g h; do unique_program tool-$t /usr/local/bin/tool-$t; done
policy() { # policy NAME TOOL
    printf 'apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: %s }\nspec:\n  rules:\n    - exec: { path: /usr/local/bin/%s }\n      action: deny\n' "$1" "$2"
}
only_denied() { # only_denied TOOL: TOOL is denied, every other tool runs
    local t
    for t in a b c d e g h; do
        if [[ $t == "$1" ]]; then denied /usr/local/bin/tool-$t || return 1
        else /usr/local/bin/tool-$t || return 1; fi
    done
}

# 1. Deleted and recreated.
mkdir -m 0755 policies
policy deny-a tool-a > policies/a.yaml
start_daemon policies
wait_started
wait_until "$START_SECONDS" only_denied a
rm -rf policies
wait_until 10 daemon_logged MESSAGE_ID=0faa8aa3caa44b478817f6329b510227 PORTCULLIS_GENERATION=$((G0 + 1))
only_denied a || fail "the directory's deletion lost enforcement"
echo "directory deleted: the generation in force stays (tool-a denied)"
mkdir -m 0755 policies
policy deny-b tool-b > policies/b.yaml
wait_until 5 only_denied b
echo "directory recreated: its files are enforced (tool-b)"

# 2. Moved away and replaced by another directory.
mkdir -m 0755 staged
policy deny-c tool-c > staged/c.yaml
mv policies policies.old
mv staged policies
wait_until 5 only_denied c
policy deny-d tool-d > policies.old/d.yaml
sleep 1
only_denied c || fail "a change in the moved-away directory was applied"
echo "directory moved away and replaced: the replacement is enforced, the old one ignored"
stop_daemon >/dev/null
rm -rf policies policies.old

# 3. A symlink to a versioned directory, swapped atomically (ln -sfn; mv -T).
mkdir -m 0755 v1 v2
policy deny-a tool-a > v1/a.yaml
policy deny-b tool-b > v2/b.yaml
ln -s v1 policies
mv daemon.log daemon-1.log
start_daemon policies
wait_until "$START_SECONDS" only_denied a
ln -s v2 policies.tmp
mv -T policies.tmp policies
wait_until 5 only_denied b
policy deny-e tool-e > v2/b.yaml
wait_until 5 only_denied e
echo "symlinked directory swapped: the new target is enforced and followed"
stop_daemon >/dev/null
rm -f policies

# 4. Kubernetes-style `..data` swaps inside the directory.
mkdir -m 0755 policies policies/..v1 policies/..v2
policy deny-c tool-c > policies/..v1/x.yaml
policy deny-d tool-d > policies/..v2/x.yaml
ln -s ..v1 policies/..data
ln -s ..data/x.yaml policies/x.yaml
mv daemon.log daemon-2.log
start_daemon policies
wait_until "$START_SECONDS" only_denied c
ln -s ..v2 policies/..data_tmp
mv -T policies/..data_tmp policies/..data
wait_until 5 only_denied d
echo "..data swapped: the files behind the symlinks are enforced anew (tool-d)"
rm -rf policies/..data policies/..v1 policies/..v2 policies/x.yaml

# 5. Files that cannot be used: each is reported by name, the rest is enforced.
policy deny-g tool-g > policies/g.yaml
wait_until 5 only_denied g
ln -s /nonexistent/policy.yaml policies/dangling.yaml
mkfifo -m 0644 policies/fifo.yaml
mkdir -m 0755 policies/dir.yaml
# Each appears whole, by rename, as config management writes files.
policy by-nobody tool-a > policies/.nobody.tmp
chown nobody policies/.nobody.tmp
mv policies/.nobody.tmp policies/nobody.yaml
head -c 2000000 /dev/zero | tr '\0' '#' > policies/.huge.tmp
mv policies/.huge.tmp policies/huge.yaml
wait_until 10 daemon_logged MESSAGE_ID="$FILE_REFUSED" PORTCULLIS_POLICY_FILE=policies/huge.yaml
for f in dangling fifo dir nobody huge; do
    wait_until 5 daemon_logged MESSAGE_ID="$POLICY_FILE_ERROR" PORTCULLIS_POLICY_FILE=policies/$f.yaml
done
has_entry daemon.log MESSAGE_ID="$POLICY_FILE_ERROR" PORTCULLIS_POLICY_FILE=policies/nobody.yaml 'MESSAGE~owned by uid 65534' ||
    fail "the file owned by nobody was not refused for its owner"
has_entry daemon.log MESSAGE_ID="$POLICY_FILE_ERROR" PORTCULLIS_POLICY_FILE=policies/fifo.yaml 'MESSAGE~not a regular file' ||
    fail "the FIFO was not refused as such"
only_denied g || fail "unusable files changed what is enforced"
echo "dangling symlink, FIFO, directory, file owned by nobody, 2 MB file: each refused by name; tool-g still denied"
rm -rf policies/dangling.yaml policies/fifo.yaml policies/dir.yaml policies/nobody.yaml policies/huge.yaml

# A good file that becomes unreadable keeps its last good version.
cp policies/g.yaml g.yaml.saved
ln -s /nonexistent/g.yaml policies/.g.tmp
mv -T policies/.g.tmp policies/g.yaml # one rename: the file is never missing
wait_until 10 daemon_logged MESSAGE_ID=38cc940c55c5406488d9497cce06e10c PORTCULLIS_POLICY_FILE=policies/g.yaml
only_denied g || fail "the unreadable file's last good version is not in force"
echo "a good file made unreadable: its last good version stays in force"
cp g.yaml.saved policies/.g.tmp
mv -T policies/.g.tmp policies/g.yaml

# 6. Bad YAML keeps the last good version; the fix replaces it.
wait_until 10 only_denied g # the good file is back in force
before=$(grep -c 38cc940c55c5406488d9497cce06e10c daemon.log)
printf 'apiVersion: portcullis/v1alpha1\nkind: Policy\nmetadata: { name: deny-g\n' > policies/g.yaml.tmp
mv policies/g.yaml.tmp policies/g.yaml
wait_until 10 entries_above daemon.log 38cc940c55c5406488d9497cce06e10c "$before"
has_entry daemon.log MESSAGE_ID="$POLICY_FILE_ERROR" PORTCULLIS_POLICY_FILE=policies/g.yaml PORTCULLIS_LINE=4 ||
    fail "the YAML error does not name line 4"
only_denied g || fail "broken YAML lost the last good version"
policy deny-h tool-h > policies/g.yaml.tmp
mv policies/g.yaml.tmp policies/g.yaml
wait_until 5 only_denied h
echo "bad YAML: the last good version stayed in force until the fix (tool-h now)"
stop_daemon >/dev/null

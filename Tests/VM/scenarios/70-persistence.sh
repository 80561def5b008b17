# vm: fresh-boot (a first attachment where nothing is pinned, then adoption, upgrade and disarm)
# Enforcement outlives the daemon: SIGKILL and SIGTERM leave the pinned
# programs enforcing; a restart adopts them (same program ids, no second
# attachment, no gap); another build's programs are replaced without a gap;
# pins of another ABI version are removed; `portcullis disarm` ends it all.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
mkdir -m 0755 policies
cat > policies/forbidden.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-forbidden-tool }
spec:
  rules:
    - exec: { path: /usr/local/bin/forbidden-tool }
      action: deny
    - capability: [CAP_NET_ADMIN]
      action: deny
YAML
pins=/sys/fs/bpf/portcullis/abi-10
lo_mtu=$(cat /sys/class/net/lo/mtu) # setting it to what it is still needs CAP_NET_ADMIN
expect_ok ip link set lo mtu "$lo_mtu"

# Pins an older portcullis might have left: they go once this one enforces.
mkdir -p /sys/fs/bpf/portcullis/abi-1/maps
bpftool map create /sys/fs/bpf/portcullis/abi-1/maps/old type array key 4 value 4 entries 1 name old

start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
expect_eperm /usr/local/bin/forbidden-tool
expect_eperm ip link set lo mtu "$lo_mtu"
daemon_logged MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=attached || fail "expected a fresh attachment"
wait_until 5 test ! -e /sys/fs/bpf/portcullis/abi-1
echo "fresh start: programs attached and pinned; the abi-1 pins were removed"

prog_ids() { bpftool prog show | sed -n 's/^\([0-9]*\): .* name \(pc_[a-z_]*\) .*/\2:\1/p' | sort | tr '\n' ' '; }
ids=$(prog_ids)
[[ $(wc -w <<<"$ids") == 19 ]] || fail "expected 19 programs, got: $ids"

# Execs and CAP_NET_ADMIN (lo's MTU set to what it is) keep being tried while
# the daemon dies and comes back: not one may pass.
watch_gap() {
    while [[ ! -e stop-watching ]]; do
        if /usr/local/bin/forbidden-tool 2>/dev/null; then echo "gap: exec" >> gaps; fi
        if ip link set lo mtu "$lo_mtu" 2>/dev/null; then echo "gap: capability" >> gaps; fi
    done
}
watch_gap &
watcher=$!

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
expect_eperm /usr/local/bin/forbidden-tool
echo "after SIGKILL: still denied"

mv daemon.log daemon-1.log
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=2
daemon_logged MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=adopted PORTCULLIS_GENERATION=1 ||
    fail "the restart did not adopt the pins"
[[ $(prog_ids) == "$ids" ]] || fail "program ids changed on adoption: $ids -> $(prog_ids)"
echo "restart: pins adopted, same programs ($ids), generation 2 follows 1"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
expect_eperm /usr/local/bin/forbidden-tool
echo "after SIGTERM: still denied"

# Another build of the programs (its hash differs): replaced, never missing.
# With no daemon the guardian post falls vacant once the kernel frees its
# process, and bpftool may write (claiming the post until it exits).
wait_until 5 bpftool map update pinned $pins/maps/pc_meta key 0 0 0 0 value 1 2 3 4 5 6 7 8
# A build from before pc_summary (what the images in force need) left no such
# map: the new programs get a fresh one, all zeros ("nothing needed") unless
# marked before they attach.
rm $pins/maps/pc_summary
mv daemon.log daemon-2.log
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=3
daemon_logged MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=upgraded || fail "the other build was not replaced"
new_ids=$(prog_ids)
[[ $(wc -w <<<"$new_ids") == 19 ]] || fail "expected 19 programs after the upgrade, got: $new_ids"
[[ $new_ids != "$ids" ]] || fail "the programs were not replaced"
echo "upgrade: programs replaced ($new_ids)"

touch stop-watching
wait "$watcher"
[[ ! -e gaps ]] || fail "$(sort gaps | uniq -c | tr '\n' ' ')while the daemon restarted"
expect_eperm ip link set lo mtu "$lo_mtu"
echo "no exec and no CAP_NET_ADMIN got through during the restarts"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true

# A SIGTERM sent the moment the daemon has started, before it has set anything
# else up, waits until it is read: the daemon stops cleanly, neither killed by
# the signal's default action nor deaf to it (a signal ignored until a watcher
# is registered would be lost).
mv daemon.log daemon-3.log
start_daemon policies
wait_until "$START_SECONDS" has_entry daemon.log MESSAGE_ID="$DAEMON_STARTED"
kill -TERM "$DAEMON_PID"
exited() { ! kill -0 "$DAEMON_PID" 2>/dev/null; }
wait_until 30 exited
stop_daemon # exit status 0, "stopping on SIGTERM" logged
echo "a SIGTERM right after start-up stops the daemon cleanly"
"$PORTCULLIS" disarm
expect_ok /usr/local/bin/forbidden-tool
expect_ok ip link set lo mtu "$lo_mtu"
[[ ! -e /sys/fs/bpf/portcullis ]] || fail "pins left after disarm: $(find /sys/fs/bpf/portcullis)"
no_programs() { [[ -z $(prog_ids) ]]; }
wait_until 10 no_programs # links of unpinned programs are freed asynchronously (6.12)
echo "disarm: programs detached, pins gone, forbidden-tool runs"

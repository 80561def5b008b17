# vm: parallel-cpus (timed as in earlier runs, alone on the host with a host thread per guest CPU; the floor, the statistics and a disarm between policy sets need a kernel of their own)
# Benchmark (issue 10): what each portcullis program costs per call, as a
# ratio to empty BPF-LSM programs on the same hooks (the floor) and to the
# parts floor (floor.bpf.c), under each policy set. Run by scripts/bench-hooks inside the VM, which builds the floor
# and the policy sets into .build-bench first; never a pass/fail test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

build=$(cd "$(dirname "$0")/../../.." && pwd)/.build-bench
. "$build/settings" # N_EXEC N_MMAP N_CAPABLE SETS
library=/usr/lib/x86_64-linux-gnu/libbpf.so.1 # the floor loader's; no rule names it
kernel=$(uname -r)

sysctl -qw kernel.bpf_stats_enabled=1
echo "hooks: kernel $kernel"
doctor=$("$PORTCULLIS" doctor) || { echo "$doctor"; fail "portcullis doctor failed"; }
grep '^verifier:' <<<"$doctor" | sed 's/^/hooks: /'

# attached LOG PID: true once the floor-loader writing LOG says so; fails the run if it exited.
attached() {
    grep -q '^floor: attached' "$1" && return 0
    kill -0 "$2" 2>/dev/null || fail "floor-loader exited: $(cat "$1")"
    return 1
}

# The exec tracepoint's warmer, attached before the daemon: the first there to run (warm-tp.bpf.c).
"$build/floor-loader" "$build/warm-tp.bpf.o" >warm.log 2>&1 &
warm_pid=$!
wait_until 60 attached warm.log "$warm_pid"

for set in $SETS; do
    rm -rf policies daemon.log
    cp -r "$build/policies/$set" policies
    chmod 0755 policies
    if [[ $set == content ]]; then # the file whose content the literal rule denies
        mkdir -p /opt/bench-content
        unique_program denied /opt/bench-content/denied
    fi
    started=$EPOCHSECONDS
    start_daemon policies
    wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
    rules=$("$VM_TESTS/entries" --messages daemon.log | grep -o 'generation 1 applied: .*' || true)
    # Wall clock of the harness around it (start_daemon, the waits, a cold 9p cache): scripts/bench-startup times start → first generation.
    echo "hooks: set $set: daemon up with its first generation in $((EPOCHSECONDS - started)) s of harness time: ${rules:-?}"
    # The floor, with this set's image for the parts floor (attached anew for each set).
    maps=$(echo /sys/fs/bpf/portcullis/abi-*/maps)
    "$build/floor-loader" "$build/floor.bpf.o" "$maps/pc_image" "$maps/pc_summary" >floor.log 2>&1 &
    floor_pid=$!
    wait_until 60 attached floor.log "$floor_pid"
    python3 "$VM_TESTS/bench/hooks.py" "$kernel, policy set $set" "$N_EXEC" "$N_MMAP" "$N_CAPABLE" "$library"
    kill "$floor_pid"
    wait "$floor_pid" || true
    has_entry daemon.log MESSAGE_ID="$DECISION_DENY" && fail "the loads were denied under $set"
    stop_daemon >/dev/null
    "$PORTCULLIS" disarm >/dev/null
done
kill "$warm_pid"
wait "$warm_pid" || true

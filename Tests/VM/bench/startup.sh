# vm: parallel-cpus (timed as in earlier runs: alone on the host, a host thread per guest CPU)
# Benchmark (issue 10): how long the daemon takes from its start to its first
# generation in force, with the three seed policies: once loading the
# programs (the kernel verifies them: a fresh boot, as on a host's first start
# after boot), then once adopting the pinned programs (a restart), a few
# times each. Prints what the daemon's start entry says the load cost too.
# Run by scripts/bench-startup inside the VM; never a pass/fail test.
# vm: fresh-boot (the first start must load the programs: nothing pinned yet)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -m 0755 policies
cp "$FIXTURES"/seed/*.yaml policies/
now_ms() { echo $(( ${EPOCHREALTIME//[.,]/} / 1000 )); }

# start_once: start the daemon and wait for its first generation; the milliseconds in $ms.
start_once() {
    local started=$(now_ms)
    start_daemon policies
    wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"
    ms=$(( $(now_ms) - started ))
}

# The first round starts with no digest cache, as a host's first start does
# (the package's install); the others with the one it left, as every boot after.
rm -rf /var/cache/portcullis
for round in 1 2 3; do
    cache="digest cache kept"
    ((round > 1)) || cache="no digest cache"
    start_once
    "$VM_TESTS/entries" daemon.log MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=attached ||
        fail "round $round: the programs were not loaded afresh"
    loaded=$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("MESSAGE_ID") == sys.argv[2]:
        print(e.get("PORTCULLIS_VERIFIED_INSNS", "?"), e.get("PORTCULLIS_LOAD_MS", "?"))' daemon.log "$DAEMON_STARTED")
    read -r insns load_ms <<<"$loaded"
    echo "startup: fresh attach, $cache: first generation after $ms ms ($insns instructions verified in $load_ms ms)"
    stop_daemon >/dev/null
    start_once
    "$VM_TESTS/entries" daemon.log MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=adopted ||
        fail "round $round: the pinned programs were not adopted"
    echo "startup: adopting the pins, digest cache kept: first generation after $ms ms"
    stop_daemon >/dev/null
    "$PORTCULLIS" disarm >/dev/null
done

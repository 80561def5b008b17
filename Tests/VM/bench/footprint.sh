# vm: parallel-cpus (timed as in earlier runs: alone on the host, a host thread per guest CPU)
# Benchmark (issues 5 and 14): the daemon's footprint at rest, with the three
# seed policies in force: the resident set after start-up, and the CPU time it
# uses over an idle minute (nothing changes, nothing is decided). Then at
# scale: 10,000 exec rules in 1,000 more files (renamed in one by one, as
# config management lands them), the resident set at rest; and 50 updates of
# one file (a rule added or removed, by rename), the resident set after the
# first and after the last, and each update's time from the rename to its
# generation applied.
# Run by scripts/bench-footprint inside the VM; never a pass/fail test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -m 0755 policies
cp "$FIXTURES"/seed/*.yaml policies/
start_daemon policies
wait_until 60 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
sleep 5 # let start-up settle

ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; } # utime + stime, in clock ticks
# The scheduler's own count of time on a CPU, in ns, over the daemon's threads:
# exact, where utime + stime are sampled at each tick (a thread a timer wakes
# right at a tick is charged the whole 10 ms tick however briefly it runs).
run_ns() { cat /proc/"$DAEMON_PID"/task/*/schedstat | awk '{sum += $1} END {printf "%.0f", sum}'; }
hz=$(getconf CLK_TCK)
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
before=$(ticks)
before_ns=$(run_ns)
idle=60
sleep "$idle"
after=$(ticks)
after_ns=$(run_ns)
rss_after_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status")
cpu_ms=$(( (after - before) * 1000 / hz ))
awk -v rss="$rss_kb" -v hwm="$hwm_kb" -v later="$rss_after_kb" -v idle="$idle" 'BEGIN {
    printf "footprint: idle RSS %.1f MB after start-up (peak %.1f MB), %.1f MB after %d s idle\n",
        rss / 1024, hwm / 1024, later / 1024, idle }'
echo "footprint: CPU over $idle s idle: ${cpu_ms} ms ($(( after - before )) ticks of 1/$hz s)," \
    "$(( (after_ns - before_ns) / 1000000 )) ms by the scheduler's count"

# What the resident set is made of (/proc/PID/smaps): anonymous memory (the
# daemon's heap and stacks), the kernel's pages mapped in (the event ring
# buffer), and file-backed pages of the binary and of each library (shared,
# clean, mapped by fault-around as much as used).
composition() {
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = ($6 == "" ? "[anonymous]" : $6); sub(/.*\//, "", name); next }
         /^Rss:/ { rss[name] += $2 }
         END { for (n in rss) if (rss[n] >= 256) printf "%s %.1f MB, ", n, rss[n] / 1024 }' \
        "/proc/$DAEMON_PID/smaps" | sed 's/, $//'
}
echo "footprint: idle RSS made of: $(composition)"

rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON_PID/status"; }
hwm_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$DAEMON_PID/status"; }
python3 "$VM_TESTS/bench/policies.py" "$FIXTURES/seed" sets
start=$EPOCHREALTIME
for file in sets/exec10k/*.yaml; do mv "$file" policies/; done
wait_until 600 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=10003
echo "footprint: 10,000 rules in 1,000 files renamed in: in force after $(echo "$EPOCHREALTIME - $start" | bc) s"
sleep 5
echo "footprint: RSS at rest with 10,003 rules: $(rss_mb) MB (peak so far $(hwm_mb) MB)"
echo "footprint: RSS at rest with 10,003 rules made of: $(composition)"

# update N: policies/0000.yaml with its ten rules, plus an eleventh when N is odd.
update() {
    cp sets/0000.yaml update.tmp
    if (($1 % 2)); then
        printf '    - exec: { path: /opt/update/%d }\n      action: deny\n' "$1" >> update.tmp
    fi
    mv update.tmp policies/0000.yaml
}
python3 "$VM_TESTS/bench/policies.py" "$FIXTURES/seed" sets >/dev/null
cp sets/exec10k/0000.yaml sets/0000.yaml
times=()
for n in $(seq 1 50); do
    g=$(last_generation)
    start=$EPOCHREALTIME
    update "$n"
    wait_until 120 generation_after "$g"
    times+=("$(echo "($EPOCHREALTIME - $start) * 1000 / 1" | bc)")
    if ((n == 1)); then sleep 5; first=$(rss_mb); fi
done
sleep 5
last=$(rss_mb)
echo "footprint: RSS after the 1st update $first MB, after the 50th $last MB" \
    "($(echo "scale=1; ($last - $first) * 100 / $first" | bc) %), peak $(hwm_mb) MB"
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "footprint: rename → generation applied, 50 updates at 10,003 rules:" \
    "median $(echo "$sorted" | sed -n 25p) ms, min $(echo "$sorted" | head -n 1) ms, max $(echo "$sorted" | tail -n 1) ms"
stop_daemon >/dev/null
"$PORTCULLIS" disarm >/dev/null

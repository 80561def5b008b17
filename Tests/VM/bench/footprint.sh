# Benchmark (issue 5): the daemon's footprint at rest, with the three seed
# policies in force. Prints the resident set after start-up, and the CPU time
# it uses over an idle minute (nothing changes, nothing is decided).
# Run by scripts/bench-footprint inside the VM; never a pass/fail test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mkdir -m 0755 policies
cp "$FIXTURES"/seed/*.yaml policies/
start_daemon policies
wait_until 60 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
sleep 5 # let start-up settle

ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; } # utime + stime, in clock ticks
hz=$(getconf CLK_TCK)
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status")
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
before=$(ticks)
idle=60
sleep "$idle"
after=$(ticks)
rss_after_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status")
cpu_ms=$(( (after - before) * 1000 / hz ))
awk -v rss="$rss_kb" -v hwm="$hwm_kb" -v later="$rss_after_kb" -v idle="$idle" 'BEGIN {
    printf "footprint: idle RSS %.1f MB after start-up (peak %.1f MB), %.1f MB after %d s idle\n",
        rss / 1024, hwm / 1024, later / 1024, idle }'
echo "footprint: CPU over $idle s idle: ${cpu_ms} ms ($(( after - before )) ticks of 1/$hz s)"
stop_daemon >/dev/null
"$PORTCULLIS" disarm >/dev/null

# Benchmark (issue 14): from a complete change to its enforcement in the
# guest. Each round denies the exec of one more program,
# /usr/local/bin/bench-tool-N (true with bytes of its own appended), and times from the change to
# the first exec refused, while a loop keeps trying it: the policy written to
# a temporary file in policies/ and renamed into place (as Ansible does), the
# daemon following the directory; with the seed policies (3), then with
# 10,000 exec rules in 1,000 more files (Tests/VM/bench/policies.py's
# exec10k). The same measure for AppArmor (`apparmor_parser -r` of a profile
# gaining the deny rule) is not here yet: in the scenario's pivot_root'ed
# namespace the confined loop failed before its rule (see the session notes).
# Prints the median per setup; run by scripts/bench-update; never a test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
ROUNDS=${ROUNDS:-7}
# Each a program of its own: a literal deny rule follows its file's content, so copies of one program would all be denied.
for n in $(seq 1 $((2 * ROUNDS))); do unique_program "bench-tool-$n" "/usr/local/bin/bench-tool-$n"; done
us() { echo "${EPOCHREALTIME/[.,]/}"; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", v[int((NR + 1) / 2)] / 1000 }'; }
# until_denied TOOL: tries TOOL until its exec is refused.
until_denied() { until ! "$1" 2>/dev/null; do :; done; }

# --- portcullis
mkdir -m 0755 policies
cp "$FIXTURES"/seed/*.yaml policies/
start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1
next_tool=1
portcullis_rounds() {
    local label=$1 times=()
    for _ in $(seq 1 "$ROUNDS"); do
        local tool=/usr/local/bin/bench-tool-$next_tool
        next_tool=$((next_tool + 1))
        [[ $($tool && echo ran) == ran ]] || fail "$tool is denied before its rule"
        exec_deny_policy "bench-tool-$((next_tool - 1))" > "policies/.ansible_tmp_$next_tool"
        local t0
        t0=$(us)
        mv "policies/.ansible_tmp_$next_tool" "policies/bench-$next_tool.yaml"
        until_denied "$tool"
        times+=($(($(us) - t0)))
    done
    echo "update: portcullis, $label: rename → first exec refused: median $(printf '%s\n' "${times[@]}" | median) ms" \
        "(${ROUNDS} rounds: $(printf '%s ' "${times[@]}" | awk '{for (i = 1; i <= NF; i++) printf "%d ", $i / 1000}')ms)"
}
portcullis_rounds "3 seed policies"
python3 "$VM_TESTS/bench/policies.py" "$FIXTURES/seed" sets
for file in sets/exec10k/*.yaml; do mv "$file" policies/; done
wait_until 900 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=$((10003 + ROUNDS))
sleep 2
portcullis_rounds "10,000 more rules"
stop_daemon >/dev/null
"$PORTCULLIS" disarm >/dev/null

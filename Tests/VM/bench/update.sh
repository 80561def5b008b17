# Benchmark (issue 14): from a complete change to its enforcement, portcullis
# next to AppArmor in the same guest. Each round denies the exec of one more
# program, /usr/local/bin/bench-tool-N (a copy of true), and times from the
# change to the first exec refused, while a loop keeps trying it:
#   portcullis: the policy written to a temporary file in /etc-like
#     policies/ and renamed into place (as Ansible does), the daemon following
#     the directory; with the seed policies (3), then with 10,000 exec rules
#     in 1,000 more files (Tests/VM/bench/policies.py's exec10k);
#   AppArmor: `apparmor_parser -r` of a profile for the loop's shell
#     (/usr/local/bin/bench-shell) that gains the deny rule; the profile
#     holds that one rule, then 10,000 deny rules as well (the same paths:
#     exact, prefixes as /**, regexes as globs).
# apparmor_parser is Debian's, unpacked by scripts/bench-update into the VM cache.
# Prints the median per setup; run by scripts/bench-update; never a test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
AA_PARSER=$VM_TESTS/../../.vm-cache/apparmor/root/sbin/apparmor_parser
[[ -x $AA_PARSER ]] || fail "no $AA_PARSER (scripts/bench-update unpacks it)"
ROUNDS=${ROUNDS:-7}
[[ -e /sys/kernel/security/apparmor/profiles ]] || fail "AppArmor is not active in this kernel"
cp /bin/bash /usr/local/bin/bench-shell
for n in $(seq 1 $((4 * ROUNDS))); do cp /usr/bin/true "/usr/local/bin/bench-tool-$n"; done
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

# --- AppArmor
python3 - "$ROUNDS" <<'PY'
import sys
rounds = int(sys.argv[1])
big = []
for f in range(1000):
    for r in range(10):
        kind = (f * 10 + r) % 3
        if kind == 0:
            big.append(f"  deny /opt/app{f}/bin/tool{r} x,")
        elif kind == 1:
            big.append(f"  deny /srv/app{f}/r{r}/** x,")
        else:
            big.append(f"  deny /usr/local/app{f}/{{bin,sbin}}/t{r}* x,")
def profile(denied, extra):
    rules = [f"  deny /usr/local/bin/bench-tool-{n} x," for n in denied]
    return ("profile bench /usr/local/bin/bench-shell {\n  /** rwlkmix,\n"
            + "\n".join(rules + extra) + "\n}\n")
for n in range(0, 4 * rounds + 1):
    open(f"aa-small-{n}", "w").write(profile(range(2 * rounds + 1, n + 1), []))
    open(f"aa-big-{n}", "w").write(profile(range(3 * rounds + 1, n + 1), big))
PY
aa_rounds() {
    local label=$1 kind=$2 first=$3 times=()
    "$AA_PARSER" -r -K "aa-$kind-$((first - 1))" || fail "apparmor_parser refused aa-$kind-$((first - 1))"
    for n in $(seq "$first" $((first + ROUNDS - 1))); do
        local tool=/usr/local/bin/bench-tool-$n
        /usr/local/bin/bench-shell -c "until ! $tool 2>/dev/null; do :; done" &
        local loop=$! t0
        sleep 0.2
        kill -0 "$loop" || fail "$tool was refused before its rule"
        t0=$(us)
        "$AA_PARSER" -r -K "aa-$kind-$n"
        wait "$loop"
        times+=($(($(us) - t0)))
    done
    echo "update: AppArmor, $label: apparmor_parser -r → first exec refused: median $(printf '%s\n' "${times[@]}" | median) ms" \
        "(${ROUNDS} rounds: $(printf '%s ' "${times[@]}" | awk '{for (i = 1; i <= NF; i++) printf "%d ", $i / 1000}')ms)"
}
aa_rounds "a profile of one rule (and the earlier rounds')" small $((2 * ROUNDS + 1))
aa_rounds "the same with 10,000 deny rules" big $((3 * ROUNDS + 1))

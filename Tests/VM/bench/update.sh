# vm: parallel-cpus (timed as in earlier runs: alone on the host, a host thread per guest CPU)
# Benchmark (issue 14): from a complete change to its enforcement in the
# guest, portcullis and AppArmor in the same run. Each round denies the exec of
# one more file, /usr/local/bin/bench-tool-N, and times from the change to the
# first exec refused, while Tests/VM/bench/exec_probe.py keeps trying it (one
# execve a millisecond: the file is one the kernel cannot run, so an allowed
# try fails with ENOEXEC past the security hooks and costs no program start).
# portcullis: the policy written to a temporary file in policies/ and renamed
# into place by the probe itself (os.rename, as Ansible does), the daemon
# following the directory. AppArmor: a profile attached to a copy of bash
# (bench-bash), which runs the probe, written with one more `deny TOOL x,`
# rule and loaded with `apparmor_parser -r` (Debian 12's parser, which
# scripts/bench-update unpacks under the repository's .vm-cache), the clock
# started before the parser starts. Each with few rules (the 3 seed policies;
# the profile's allow rules), then, unless PARTS (.build-bench/update-settings)
# says only "few", with 10,000 exec rules more (Tests/VM/bench/policies.py's
# exec10k, for AppArmor exec10k.apparmor). Prints the median per setup; run by
# scripts/bench-update; never a test.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
ROUNDS=7 PARTS="few 10k"
settings=$VM_TESTS/../../.build-bench/update-settings
[[ -e $settings ]] && . "$settings" # ROUNDS PARTS
probe=$VM_TESTS/bench/exec_probe.py
# Each file of its own: a literal deny rule follows its file's content, so copies of one file would all be denied.
for n in $(seq 1 $((4 * ROUNDS))); do
    printf 'portcullis-bench-tool-%s-%s\n' "$n" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"/usr/local/bin/bench-tool-$n"
    chmod 0755 "/usr/local/bin/bench-tool-$n"
done
us() { echo "${EPOCHREALTIME/[.,]/}"; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", v[int((NR + 1) / 2)] / 1000 }'; }
# summary TIME...: the median of the rounds' times (µs) and each, in ms.
summary() {
    echo "median $(printf '%s\n' "$@" | median) ms ($# rounds: $(printf '%s ' "$@" | awk '{for (i = 1; i <= NF; i++) printf "%d ", $i / 1000}')ms)"
}

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
        exec_deny_policy "bench-tool-$((next_tool - 1))" >"policies/.ansible_tmp_$next_tool"
        times+=($(python3 "$probe" "$tool" ready "policies/.ansible_tmp_$next_tool" "policies/bench-$next_tool.yaml"))
    done
    echo "update: portcullis, $label: rename → first exec refused: $(summary "${times[@]}")"
    sleep 1 # the last round's entry written
    daemon_steps "$label"
}
# daemon_steps LABEL: the daemon's own steps in the rounds' generations (their
# entries' READ_MS, COMPILE_MS and SWAP_MS), median over the rounds.
daemon_steps() {
    python3 - "$1" "$ROUNDS" "$GENERATION_APPLIED" <<'PY'
import json, statistics, sys
label, rounds, applied = sys.argv[1], int(sys.argv[2]), sys.argv[3]
entries = [json.loads(line) for line in open("daemon.log").read().split("\n")[:-1]]
last = [e for e in entries if e.get("MESSAGE_ID") == applied][-rounds:]
def median(field):
    values = [float(e[field]) for e in last if field in e]
    return f"{statistics.median(values):.1f} ms ({' '.join(f'{v:.0f}' for v in values)})" if values else "?"
print(f"update: portcullis, {label}: the daemon's steps, median of {len(last)} generations: "
      f"read {median('PORTCULLIS_READ_MS')}, compile {median('PORTCULLIS_COMPILE_MS')}, "
      f"install to the swap {median('PORTCULLIS_SWAP_MS')}")
PY
}
portcullis_rounds "3 seed policies"
if [[ $PARTS == *10k* ]]; then
    python3 "$VM_TESTS/bench/policies.py" "$FIXTURES/seed" sets
    for file in sets/exec10k/*.yaml; do mv "$file" policies/; done
    wait_until 900 daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=$((10003 + ROUNDS))
    sleep 2
    portcullis_rounds "10,000 more rules"
fi
stop_daemon >/dev/null
"$PORTCULLIS" disarm >/dev/null

# --- AppArmor
aa=$VM_TESTS/../../.vm-cache/apparmor/root
[[ -x $aa/sbin/apparmor_parser ]] || fail "no $aa/sbin/apparmor_parser (scripts/bench-update unpacks it)"
grep -q apparmor /sys/kernel/security/lsm || fail "AppArmor is not active: $(cat /sys/kernel/security/lsm)"
# As Debian's: its parser.conf only pins the policy features, whose file is here an option.
aa_load() { "$aa/sbin/apparmor_parser" --config-file /dev/null --policy-features "$aa/usr/share/apparmor-features/features" -K -r "$1"; }
cp /bin/bash /usr/local/bin/bench-bash
: >aa-denied
# aa_profile [RULES]: the profile confining bench-bash: everything the loop
# needs allowed, then RULES' lines and the deny rules of the rounds so far.
aa_profile() {
    echo "profile bench-bash /usr/local/bin/bench-bash flags=(attach_disconnected) {"
    printf '  %s,\n' file capability network signal ptrace unix mount umount pivot_root
    sed 's/^/  /' ${1:+"$1"} aa-denied
    echo "}"
}
aa_profile >bench.aa
aa_load bench.aa
apparmor_rounds() {
    local label=$1 rules=${2:-} times=()
    for _ in $(seq 1 "$ROUNDS"); do
        local tool=/usr/local/bin/bench-tool-$next_tool
        next_tool=$((next_tool + 1))
        rm -f ready refused
        # The confined probe: tries the tool once, then until refused, and writes when.
        /usr/local/bin/bench-bash -c 'exec python3 "$1" "$2" ready >refused' _ "$probe" "$tool" &
        local loop=$!
        wait_until 60 test -e ready
        [[ $(cat "/proc/$loop/attr/current") == "bench-bash (enforce)" ]] ||
            fail "the loop is not confined by bench-bash: $(cat "/proc/$loop/attr/current")"
        echo "deny $tool x," >>aa-denied
        aa_profile "$rules" >bench.aa
        local t0
        t0=$(us)
        aa_load bench.aa
        wait "$loop" || fail "the confined loop failed (exit status $?)"
        times+=($(($(<refused) - t0)))
    done
    echo "update: apparmor, $label: apparmor_parser -r → first exec refused: $(summary "${times[@]}")"
}
apparmor_rounds "the profile's allow rules"
if [[ $PARTS == *10k* ]]; then
    aa_profile sets/exec10k.apparmor >bench.aa
    aa_load bench.aa
    apparmor_rounds "10,000 more rules" sets/exec10k.apparmor
fi
# Removed by name, as apparmor_parser -R does, without parsing the profile again.
echo -n bench-bash >/sys/kernel/security/apparmor/.remove

# vm: parallel-cpus (generation swaps on one CPU while the workers' hooks run on the other, at the same instant)
# Generation swaps are atomic (portcullis-selftest flips): two generations whose
# rule tables disagree are installed alternately 700 times while
# workers execute their paths; every decision event must name the rule its own
# generation has for that path, no denied path may ever run, and the programs
# are never reloaded.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

pins=/sys/fs/bpf/pc-selftest
# Its programs are gone at the end: only the ones loaded before it (pinned by
# an earlier daemon, where scenarios share a boot) may be left.
pc_programs() { bpftool prog show | sed -n 's/^\([0-9]*\): .* name \(pc_[a-z_]*\) .*/\2:\1/p' | sort; }
programs_before=$(pc_programs)
programs_gone() { [[ $(pc_programs) == "$programs_before" ]]; }
portcullis-selftest flips --count 700 --workers 2 --pin-root "$pins" --root "$SCRATCH/flips" |
    tee flips.log || fail "selftest flips failed"
grep -q "^selftest flips: PASS$" flips.log || fail "no PASS line"
checked=$(sed -n 's/^selftest flips: decision events checked: \([0-9]*\),.*/\1/p' flips.log)
(( checked >= 1000 )) || fail "only ${checked:-0} decision events checked"
[[ ! -e $pins ]] || fail "pins left behind: $(find "$pins")"
# Unpinned links are freed after an RCU grace period and a work item: wait for that.
wait_until 10 programs_gone
echo "atomic flips: $checked decision events, each from its own generation"

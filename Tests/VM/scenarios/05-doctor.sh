# vm: fresh-boot (doctor's test attach must find nothing loaded or pinned, and leave nothing)
# portcullis doctor on a kernel that can enforce: every check passes, and the
# test attach leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

out=$("$PORTCULLIS" doctor) || fail "doctor failed: $out"
echo "$out"
for check in "BPF LSM active" "kernel BTF" "hook bprm_check_security" "hook capable" "bpffs" "test attach"; do
    grep -q "^ok   $check" <<<"$out" || fail "doctor did not pass '$check'"
done
[[ -z $(bpftool prog show | grep ' name pc_') ]] || fail "doctor left programs loaded"
[[ ! -e /sys/fs/bpf/portcullis ]] || fail "doctor pinned something"

# SIGKILL at the worst moments: while the next generation is compiled, while
# its map is being filled, and once it is filled and frozen but not yet
# swapped in (`run --test-hold STEP` stops the daemon there). Each time the
# kernel keeps the old generation whole, and a restarted daemon converges on
# the directory as it is.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

for tool in tool-a tool-b; do unique_program $tool /usr/local/bin/$tool; done
policy() { # policy NAME TOOL
    cat <<YAML
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: $1 }
spec:
  rules:
    - exec: { path: /usr/local/bin/$2 }
      action: deny
YAML
}
generation_in_kernel() { "$PORTCULLIS" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])'; }

mkdir -m 0755 policies
for step in compile fill swap; do
    rm -f policies/*
    policy deny-a tool-a > policies/a.yaml
    mv daemon.log "daemon-before-$step.log" 2>/dev/null || true
    start_daemon policies --test-hold "$step"
    wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED"
    before=$(last_generation)
    expect_eperm /usr/local/bin/tool-a
    expect_ok /usr/local/bin/tool-b

    # The change: deny tool-b instead of tool-a. The daemon stops at $step.
    policy deny-b tool-b > policies/b.yaml
    rm policies/a.yaml
    wait_until 30 daemon_logged MESSAGE_ID=9a578578128d4816a2f7f86ea0cb5ef5 PORTCULLIS_STEP="$step"
    if [[ $step != compile ]]; then
        # The new generation's map exists, outside the slot.
        "$VM_TESTS/bpf-map-names" | grep -x pc_image_gen >/dev/null || fail "no image map seen while held at the $step"
    fi
    kill -KILL "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null || true
    [[ $(generation_in_kernel) == "$before" ]] || fail "the kernel holds generation $(generation_in_kernel), not $before"
    expect_eperm /usr/local/bin/tool-a
    expect_ok /usr/local/bin/tool-b
    echo "SIGKILL before the $step: the kernel keeps generation $before whole (tool-a denied, tool-b runs)"

    mv daemon.log "daemon-held-$step.log"
    start_daemon policies
    wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_POLICIES=deny-b
    expect_ok /usr/local/bin/tool-a
    expect_eperm /usr/local/bin/tool-b
    [[ $(generation_in_kernel) == "$(last_generation)" ]] || fail "status and the daemon disagree on the generation"
    echo "restart after the $step kill: converged on the directory (tool-b denied, tool-a runs)"
    stop_daemon >/dev/null
done

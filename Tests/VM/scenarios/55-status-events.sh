# `portcullis status` names what the kernel enforces, counts each rule's
# decisions and reports the last errors, with the daemon running and after it
# was SIGKILLed, and says when nothing is pinned; `portcullis events` follows
# decisions as they happen. Counters are the kernel's: rule hits are kept by
# policy name and rule place across generations (the policy `tools` is this
# scenario's own), event counts since the programs were loaded, so where
# scenarios share a boot the counts are taken relative to the start.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

unique_program forbidden-tool /usr/local/bin/forbidden-tool
unique_program watched-tool /usr/local/bin/watched-tool
mkdir -m 0755 policies
cat > policies/10-tools.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: tools }
spec:
  rules:
    - exec: { path: /usr/local/bin/forbidden-tool }
      action: deny
    - exec: { path: /usr/local/bin/watched-tool }
      action: audit
YAML

start_daemon policies
wait_started
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=$((G0 + 1))
# Before any decision: both rules at 0 hits; the event counters as they start.
"$PORTCULLIS" status --json >status.json
counters=$(python3 - status.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert [r["hits"] for r in s["rules"]] == [0, 0], s["rules"]
print(s["eventsSent"], s["eventsDroppedByRateLimit"])
PY
) || fail "status --json at the start: $(cat status.json)"
read -r sent_before dropped_before <<<"$counters"

# Follow decisions. The client is connected once it receives a denial: deny
# until it has one, counting every denial for the hit counts below.
denials=0
deny_until_received() { # deny_until_received FILE: until FILE has a line
    local deadline=$(( ${EPOCHREALTIME//[.,]/} + 30000000 ))
    until [[ -s $1 ]]; do
        (( ${EPOCHREALTIME//[.,]/} < deadline )) || fail "no decision reached the events client"
        expect_eperm /usr/local/bin/forbidden-tool
        denials=$((denials + 1))
        sleep 0.2
    done
}
"$PORTCULLIS" events --json >events.json 2>events.err &
events_pid=$!
deny_until_received events.json
sleep 0.5
synced=$(wc -l <events.json)
for _ in 1 2 3; do expect_eperm /usr/local/bin/forbidden-tool; done
denials=$((denials + 3))
for _ in 1 2; do expect_ok /usr/local/bin/watched-tool; done
wait_until 30 lines_at_least events.json $((synced + 5))
kill "$events_pid"
tail -n +$((synced + 1)) events.json >followed.json
has_entry followed.json MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/usr/local/bin/forbidden-tool PORTCULLIS_POLICY=tools ||
    fail "events did not show the denial: $(cat followed.json)"
[[ $(grep -c '"PORTCULLIS_DECISION":"deny"' followed.json) == 3 ]] || fail "expected 3 denials in: $(cat followed.json)"
[[ $(grep -c '"PORTCULLIS_DECISION":"audit"' followed.json) == 2 ]] || fail "expected 2 audits in: $(cat followed.json)"
echo "events: 3 denials and 2 audits followed as JSON lines"

"$PORTCULLIS" events --count 1 >events.txt &
events_pid=$!
deny_until_received events.txt
wait "$events_pid" || fail "events (text) failed"
grep -q "^deny bprm_check_security /usr/local/bin/forbidden-tool" events.txt || fail "events text: $(cat events.txt)"
echo "events: text line: $(cat events.txt)"

# Counts: every denial of rule 0, 2 audits of rule 1.
"$PORTCULLIS" status --json >status.json
python3 - status.json "$denials" "$((G0 + 1))" "$sent_before" <<'PY' || fail "status --json: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
denials, generation, sent_before = map(int, sys.argv[2:])
assert s["enforcing"] and s["daemonRunning"], s
assert s["generation"] == generation and s["ruleCount"] == 2, s
hits = {r["operation"]: (r["hits"], r["action"], r["policy"]) for r in s["rules"]}
assert hits["exec /usr/local/bin/forbidden-tool"] == (denials, "deny", "tools"), (denials, hits)
assert hits["exec /usr/local/bin/watched-tool"] == (2, "audit", "tools"), hits
assert s["policies"][0]["name"] == "tools" and s["policies"][0]["rules"] == 2, s
assert s["eventsSent"] - sent_before >= denials + 2, (sent_before, s)
PY
"$PORTCULLIS" status | tee status.txt
grep -q "#0 hits $denials deny exec /usr/local/bin/forbidden-tool (tools at policies/10-tools.yaml:6:7)" status.txt ||
    fail "status text lacks the rule line"
echo "status: generation $((G0 + 1)), rule hits $denials and 2"

# A broken file: its errors are the last errors. It is moved into place whole,
# as config management does: a file still being written is read as it is at
# that moment (empty, say: a warning, and a last good version to keep).
cat > broken.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: broken
YAML
mv broken.yaml policies/20-broken.yaml
wait_until 10 daemon_logged MESSAGE_ID="$FILE_REFUSED" PORTCULLIS_POLICY_FILE=policies/20-broken.yaml
wait_until 10 bash -c "'$PORTCULLIS' status | grep 'policies/20-broken.yaml:4:1: error' >/dev/null"
"$PORTCULLIS" status | grep "policies/20-broken.yaml: refused" >/dev/null || fail "status does not say the file is refused"
echo "status: the broken file and its error are shown"

# A denial storm: the rate limits drop events, the daemon reports how many
# (10 s after the storm), and every decision is still counted as a hit. The
# daemon reports every drop the kernel counted since the programs were loaded
# (earlier ones too): its reports add up to the kernel's count after the storm.
for _ in $(seq 600); do /usr/local/bin/forbidden-tool 2>/dev/null && fail "forbidden-tool ran"; done
denials=$((denials + 600))
"$PORTCULLIS" status --json >status.json
dropped=$(python3 - status.json "$denials" "$dropped_before" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["eventsDroppedByRateLimit"] > int(sys.argv[3]), s
assert {r["operation"]: r["hits"] for r in s["rules"]}["exec /usr/local/bin/forbidden-tool"] == int(sys.argv[2]), s["rules"]
print(s["eventsDroppedByRateLimit"] + s["eventsDroppedRingFull"])
PY
) || fail "status after the storm: $(cat status.json)"
reported_at_least() { # reported_at_least N: the daemon's drop reports add up to N or more
    local total
    total=$(grep -F '"MESSAGE_ID":"12c4af77cb0841879d5027b99b5642af"' daemon.log |
        grep -o '"PORTCULLIS_DROPPED_COUNT":"[0-9]*"' | tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }')
    ((total >= $1))
}
wait_until 30 reported_at_least "$dropped"
echo "storm of 600 denials: drops reported ($dropped in all), all $denials decisions counted"

# The daemon dies: status still reads the kernel, and says so.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
expect_eperm /usr/local/bin/forbidden-tool
denials=$((denials + 1))
"$PORTCULLIS" status --json >status.json
python3 - status.json "$denials" "$((G0 + 1))" <<'PY' || fail "status after SIGKILL: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["enforcing"] and not s["daemonRunning"], s
assert s["generation"] == int(sys.argv[3]), s
hits = {r["operation"]: r["hits"] for r in s["rules"]}
assert hits["exec /usr/local/bin/forbidden-tool"] == int(sys.argv[2]), hits
PY
"$PORTCULLIS" status | grep "daemon: not running" >/dev/null || fail "status does not say the daemon is gone"
"$PORTCULLIS" events --count 1 2>events.err && fail "events succeeded without a daemon"
grep -q "is the daemon running" events.err || fail "events did not explain: $(cat events.err)"
echo "after SIGKILL: status reads the pins (hits $denials), events says there is no daemon"
"$PORTCULLIS" disarm >/dev/null

"$PORTCULLIS" status >status.out 2>&1 && fail "status succeeded with nothing pinned: $(cat status.out)"
grep -q "nothing is pinned" status.out || fail "status did not say nothing is pinned: $(cat status.out)"
echo "no pins (disarmed): status exits non-zero and says nothing is pinned"

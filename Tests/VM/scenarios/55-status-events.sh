# `portcullis status` names what the kernel enforces, counts each rule's
# decisions and reports the last errors, with the daemon running and after it
# was SIGKILLed; `portcullis events` follows decisions as they happen.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

install -m 0755 /usr/bin/true /usr/local/bin/forbidden-tool
install -m 0755 /usr/bin/true /usr/local/bin/watched-tool
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

"$PORTCULLIS" status >status.out 2>&1 && fail "status succeeded with nothing pinned: $(cat status.out)"
grep -q "nothing is pinned" status.out || fail "status did not say nothing is pinned: $(cat status.out)"
echo "no pins: status exits non-zero and says nothing is pinned"

start_daemon policies
wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_GENERATION=1

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
python3 - status.json "$denials" <<'PY' || fail "status --json: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
denials = int(sys.argv[2])
assert s["enforcing"] and s["daemonRunning"], s
assert s["generation"] == 1 and s["ruleCount"] == 2, s
hits = {r["operation"]: (r["hits"], r["action"], r["policy"]) for r in s["rules"]}
assert hits["exec /usr/local/bin/forbidden-tool"] == (denials, "deny", "tools"), (denials, hits)
assert hits["exec /usr/local/bin/watched-tool"] == (2, "audit", "tools"), hits
assert s["policies"][0]["name"] == "tools" and s["policies"][0]["rules"] == 2, s
assert s["eventsSent"] >= denials + 2, s
PY
"$PORTCULLIS" status | tee status.txt
grep -q "#0 hits $denials deny exec /usr/local/bin/forbidden-tool (tools at policies/10-tools.yaml:6:7)" status.txt ||
    fail "status text lacks the rule line"
echo "status: generation 1, rule hits $denials and 2"

# A broken file: its errors are the last errors; a second good policy adds a rule.
cat > policies/20-broken.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: broken
YAML
wait_until 10 daemon_logged MESSAGE_ID="$FILE_REFUSED" PORTCULLIS_POLICY_FILE=policies/20-broken.yaml
wait_until 10 bash -c "'$PORTCULLIS' status | grep 'policies/20-broken.yaml:4:1: error' >/dev/null"
"$PORTCULLIS" status | grep "policies/20-broken.yaml: refused" >/dev/null || fail "status does not say the file is refused"
echo "status: the broken file and its error are shown"

# A denial storm: the rate limits drop events, the daemon reports how many
# (10 s after the storm), and every decision is still counted as a hit.
for _ in $(seq 600); do /usr/local/bin/forbidden-tool 2>/dev/null && fail "forbidden-tool ran"; done
denials=$((denials + 600))
wait_until 30 daemon_logged MESSAGE_ID=12c4af77cb0841879d5027b99b5642af
"$PORTCULLIS" status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["eventsDroppedByRateLimit"] > 0, s
assert {r["operation"]: r["hits"] for r in s["rules"]}["exec /usr/local/bin/forbidden-tool"] == int(sys.argv[1]), s["rules"]
' "$denials" || fail "status after the storm"
echo "storm of 600 denials: drops reported, all $denials decisions counted"

# The daemon dies: status still reads the kernel, and says so.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
expect_eperm /usr/local/bin/forbidden-tool
denials=$((denials + 1))
"$PORTCULLIS" status --json >status.json
python3 - status.json "$denials" <<'PY' || fail "status after SIGKILL: $(cat status.json)"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["enforcing"] and not s["daemonRunning"], s
assert s["generation"] == 1, s
hits = {r["operation"]: r["hits"] for r in s["rules"]}
assert hits["exec /usr/local/bin/forbidden-tool"] == int(sys.argv[2]), hits
PY
"$PORTCULLIS" status | grep "daemon: not running" >/dev/null || fail "status does not say the daemon is gone"
"$PORTCULLIS" events --count 1 2>events.err && fail "events succeeded without a daemon"
grep -q "is the daemon running" events.err || fail "events did not explain: $(cat events.err)"
echo "after SIGKILL: status reads the pins (hits $denials), events says there is no daemon"
"$PORTCULLIS" disarm >/dev/null

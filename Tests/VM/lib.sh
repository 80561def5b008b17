# Helpers for guest scenarios run by Tests/VM/run. Source it with:
#   . "$(dirname "$0")/../lib.sh"

# fail MSG: report a failed assertion and end the scenario.
fail() {
    echo "FAIL: $*" >&2
    if [[ -f daemon.log ]]; then
        echo "--- daemon log" >&2
        cat daemon.log >&2
    fi
    exit 1
}

# expect_ok CMD...: CMD must succeed.
expect_ok() {
    "$@" || fail "expected success (exit status $?): $*"
}

# denied CMD...: true when CMD fails with "Operation not permitted" on stderr.
denied() {
    local err
    if { err=$("$@" 2>&1 >/dev/null); }; then
        return 1
    fi
    [[ $err == *"Operation not permitted"* ]]
}

# expect_eperm CMD...: CMD must fail with "Operation not permitted" on stderr.
expect_eperm() {
    local err
    if { err=$("$@" 2>&1 >&3); } 3>&1; then
        fail "expected EPERM, but it succeeded: $*"
    fi
    [[ $err == *"Operation not permitted"* ]] ||
        fail "expected 'Operation not permitted' from: $* (stderr: $err)"
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_until() {
    local seconds=$1
    shift
    local deadline=$(( ${EPOCHREALTIME//[.,]/} + seconds * 1000000 ))
    until "$@"; do
        (( ${EPOCHREALTIME//[.,]/} < deadline )) || fail "still failing after ${seconds}s: $*"
        sleep 0.1
    done
}

# The repository's test fixtures (seed policies and others).
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../Fixtures" && pwd)

# start_daemon DIR: runs `portcullis run --policy-dir DIR` in the background,
# logging to ./daemon.log; stop_daemon ends it and shows its log.
start_daemon() {
    "$PORTCULLIS" run --policy-dir "$1" >daemon.log 2>&1 &
    DAEMON_PID=$!
}

# daemon_logged PATTERN: true once daemon.log matches PATTERN (grep -E); fails the
# scenario at once if the daemon has exited.
daemon_logged() {
    grep -Eq "$1" daemon.log && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited before logging: $1"
    return 1
}

# last_generation: the number of the last generation the daemon applied (0 if none).
last_generation() {
    { grep -o "generation applied generation=[0-9]*" daemon.log || echo "=0"; } | tail -1 | sed 's/.*=//'
}

# generation_after N: true once the daemon has applied a generation after N.
generation_after() {
    (( $(last_generation) > $1 ))
}

stop_daemon() {
    kill "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
    echo "--- daemon log"
    cat daemon.log
}

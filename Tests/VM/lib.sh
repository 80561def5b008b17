# Helpers for guest scenarios run by Tests/VM/run. Source it with:
#   . "$(dirname "$0")/../lib.sh"

# fail MSG: report a failed assertion and end the scenario, after showing the
# daemon's log and whatever the scenario's own on_fail function shows.
fail() {
    echo "FAIL: $*" >&2
    if [[ -f daemon.log ]]; then
        echo "--- daemon log" >&2
        cat daemon.log >&2
    fi
    if declare -F on_fail >/dev/null; then
        on_fail >&2
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

# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds. CMD's
# arguments are expanded once, by the caller: to poll a count, give a command
# that reads it itself (lines_at_least, entries_above, or a function).
wait_until() {
    local seconds=$1
    shift
    local deadline=$(( ${EPOCHREALTIME//[.,]/} + seconds * 1000000 ))
    until "$@"; do
        (( ${EPOCHREALTIME//[.,]/} < deadline )) || fail "still failing after ${seconds}s: $*"
        sleep 0.1
    done
}

# How long a daemon may take from its start to its first generation: loading
# the programs is verified instruction by instruction, which under software
# emulation takes tens of seconds on 6.1 (a few on 6.12). A bound, not a wait.
START_SECONDS=180

# The repository's test fixtures (seed policies and others).
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../Fixtures" && pwd)
VM_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The MESSAGE_IDs of the audit trail the scenarios look for (docs/journal.md).
GENERATION_APPLIED=f273430deef940a482bfa359fa7141d8
POLICY_FILE_ERROR=9722b40434e5468f9c3c36f90bfe71a9
POLICY_FILE_WARNING=acf5de66b3ad4bc0a25a97ff3a8fe2f0
FILE_REFUSED=a2659c4dedca4d0f9bcd765a59a1e6c7
DAEMON_STARTED=d3926b29883d42d78ee3acc6910aecad
DAEMON_STOPPING=54039fb8ab9849a098b47aa4b0684958
TAMPER_REFUSED=78371550e7ab42389d59a651232048ba
GUARDIAN_CLAIMED=8c8118d17faf43708e00f1458cda52cb
TAMPER_REPAIRED=53a938e779d7479cb842425e6bde5117
WEAKENING_REFUSED=5c77b59ec5784a4894014a1a34453490
LOCKED=04d162a2e2584460832c04446dac5e5d

# exec_deny_policy TOOL: a policy `no-TOOL` denying the exec of /usr/local/bin/TOOL.
exec_deny_policy() {
    cat <<YAML
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-$1 }
spec:
  rules:
    - exec: { path: /usr/local/bin/$1 }
      action: deny
YAML
}

# lines_with_field FILE|- FIELD VALUE: the lines of FILE (or standard input) whose JSON
# has "FIELD":"VALUE" (portcullis's JSON lines, journalctl -o json), "FIELD": "VALUE"
# (Python's json.dumps) or "FIELD" : "VALUE" (older journalctl); fails if there are none.
lines_with_field() {
    grep -F -e "\"$2\":\"$3\"" -e "\"$2\": \"$3\"" -e "\"$2\" : \"$3\"" -- "$1"
}

# has_entry FILE CONDITION...: true when a JSON line of FILE (- for standard
# input) meets every CONDITION, FIELD=VALUE or FIELD~REGEX (Tests/VM/entries).
# Waits poll this many times, and Python parsing the whole log costs about a
# third of a second under TCG, so a regular FILE is asked with grep first:
# FIELD=VALUE with a plain VALUE (letters, digits, spaces and `_.:,+-/`, which JSON
# writes as they are) holds for an entry exactly when its line has
# "FIELD":"VALUE" (a quote inside a string is escaped, so no other text of the
# line reads so). When every condition is plain, grep's answer is the answer;
# Python is asked only for a REGEX or a pipe, and a line that is not JSON
# fails the scenario there (and in stop_daemon, which reads every entry).
has_entry() {
    local status=0 condition lines="" plain=$(($# > 1))
    if [[ -f $1 ]]; then
        for condition in "${@:2}"; do
            if [[ ! $condition =~ ^([A-Z0-9_]+)=([A-Za-z0-9\ _.:,+/-]+)$ ]]; then
                plain=0
            elif [[ -z $lines ]]; then
                lines=$(lines_with_field "$1" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}") || return 1
            else
                lines=$(lines_with_field - "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" <<<"$lines") || return 1
            fi
        done
        ((plain == 0)) || return 0
    fi
    python3 -S "$VM_TESTS/entries" "$@" || status=$?
    ((status < 2)) || fail "$1 is not JSON lines"
    return "$status"
}

# start_daemon DIR [OPTION...]: runs `portcullis run --policy-dir DIR OPTION...`
# in the background, standard output and error to ./daemon.log (without
# journald, the audit trail is JSON lines on standard output); stop_daemon
# ends it and shows its log.
start_daemon() {
    local dir=$1
    shift
    "$PORTCULLIS" run --policy-dir "$dir" "$@" >daemon.log 2>&1 &
    DAEMON_PID=$!
}

# daemon_logged CONDITION...: true once daemon.log has an entry meeting every
# CONDITION (see has_entry); fails the scenario at once if the daemon has exited.
daemon_logged() {
    has_entry daemon.log "$@" && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited before logging: $*"
    return 1
}

# stop_daemon: SIGTERM; the daemon must exit 0 and, when its entries go to
# daemon.log, say it is stopping there.
stop_daemon() {
    kill "$DAEMON_PID" 2>/dev/null || true
    local status=0
    wait "$DAEMON_PID" 2>/dev/null || status=$?
    ((status == 0)) || fail "the daemon exited with status $status on SIGTERM"
    if [[ -s daemon.log ]]; then
        has_entry daemon.log MESSAGE_ID="$DAEMON_STOPPING" PORTCULLIS_SIGNAL=SIGTERM ||
            fail "the daemon did not log that it is stopping"
        echo "--- daemon log (<PRIORITY> MESSAGE)"
        "$VM_TESTS/entries" --messages daemon.log
    fi
}

# last_generation: the number of the last generation the daemon applied (0 if
# none). Polled by waits: grep, not a Python parse of the whole log.
last_generation() {
    local last
    last=$(grep -F "\"MESSAGE_ID\":\"$GENERATION_APPLIED\"" daemon.log |
        grep -o '"PORTCULLIS_GENERATION":"[0-9]*"' | tail -n 1 | tr -dc 0-9) || true
    echo "${last:-0}"
}

# started_generation [FILE]: the generation in force when the daemon started,
# from its one "started" entry in FILE (JSON lines, default daemon.log). It is 0
# on a fresh kernel; where scenarios share a boot (Tests/VM/run), the daemon
# adopts the pinned programs and numbers its generations on from theirs.
started_generation() {
    local file=${1:-daemon.log} lines
    lines=$(lines_with_field "$file" MESSAGE_ID "$DAEMON_STARTED") || lines=""
    if [[ -z $lines || $lines == *$'\n'* ]]; then
        echo "$file: expected one 'started' entry, found $(grep -c . <<<"$lines" || true)" >&2
        return 1
    fi
    [[ $lines =~ \"PORTCULLIS_GENERATION\"( : |: |:)\"([0-9]+)\" ]] || { echo "$file: no generation in: $lines" >&2; return 1; }
    echo "${BASH_REMATCH[2]}"
}

# wait_started: waits until the daemon logged that it started (it loads the
# programs first: START_SECONDS), and sets G0 to the generation in force then:
# the generations this daemon applies are G0+1, G0+2, ...
wait_started() {
    wait_until "$START_SECONDS" daemon_logged MESSAGE_ID="$DAEMON_STARTED"
    G0=$(started_generation) || fail "no generation in the daemon's 'started' entry"
}

# generation_after N: true once the daemon has applied a generation after N.
generation_after() {
    (( $(last_generation) > $1 ))
}

# The MESSAGE_IDs of decisions.
DECISION_DENY=02fe78495fa04bdabcc0ea9ff1ba1e43
DECISION_AUDIT=974fb174bc0f4ecca94f69099c280245

# lines_at_least FILE N: true once FILE has at least N lines.
lines_at_least() {
    (( $(wc -l <"$1") >= $2 ))
}

# entries_above FILE MESSAGE_ID N: true once FILE has more than N lines with MESSAGE_ID.
entries_above() {
    (( $(grep -c "$2" "$1") > $3 ))
}

# unique_program NAME FILE [PROGRAM]: a copy of PROGRAM (/usr/bin/true), mode
# 0755, whose bytes no other file has (the ELF loader ignores bytes past its
# segments). A literal deny rule also denies its file's content everywhere
# (issue 16): a denied plain copy of /usr/bin/true would deny /usr/bin/true.
unique_program() {
    cp "${3:-/usr/bin/true}" "$2"
    printf 'portcullis-test-program-%s-%s' "$1" "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >>"$2"
    chmod 0755 "$2"
}

# btrfs_with_subvolumes SUBVOLUME...: a new btrfs filesystem on a loop device
# (BTRFS_DEV; an image in the scratch directory), its top level mounted on
# /mnt/top with the subvolumes created there (@a: /mnt/top/@a). The btrfs and
# loop modules must be loaded. btrfs_cleanup unmounts MOUNT... and the top level,
# and detaches the device.
btrfs_with_subvolumes() {
    truncate -s 256M btrfs.img
    BTRFS_DEV=$(losetup -f --show btrfs.img)
    mkfs.btrfs -q "$BTRFS_DEV" >/dev/null
    mkdir -p /mnt/top
    mount "$BTRFS_DEV" /mnt/top
    local subvolume
    for subvolume in "$@"; do
        btrfs -q subvolume create "/mnt/top/$subvolume"
    done
}
btrfs_cleanup() {
    umount "$@" /mnt/top 2>/dev/null || true
    losetup -d "$BTRFS_DEV" 2>/dev/null || true
}

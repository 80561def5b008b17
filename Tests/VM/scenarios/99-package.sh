# vm: systemd (the Debian package as a host runs it: systemd as PID 1, dpkg, the unit, the maintainer scripts)
# The package on a host where systemd is PID 1. Before boot (chrooted, as an
# installer before a reboot): dpkg -i enables the unit; the seed policies go
# verbatim into /etc/policies.d; a unit of a user of its own is set to start before
# portcullis. Booted: the service started before sysinit.target through
# sd_notify with the first generation in force; the seed policies deny (exec,
# capability, bind mount) with the denials in `journalctl -u portcullis`,
# naming the scenario's unit from the kernel's cgroup id; the
# pcvm-early process, older than the programs, was seeded (an `except` by its
# executable holds for it); a literal rule on a /tmp path is enforced;
# `systemctl reload` recompiles; `systemctl stop` keeps enforcement and `start`
# and `restart` adopt it; a newer package installed over the running one
# restarts the service with no gap (a loop trying the denied program never
# runs it) and its programs replace the pinned ones; a remove stops
# and disarms; purge then leaves the admin's policies alone; `apt-get install
# ./portcullis_*.deb` starts and enforces again and seeds again. (Remove and
# purge through dpkg, which apt runs for them with the same maintainer
# scripts: apt's own run costs 10-15 s under TCG and tests nothing of ours.) Then locked
# (`lock = yes`, issue 12): `systemctl stop` is refused (RefuseManualStop=, the
# documented drop-in), SIGTERM through `systemctl kill` is refused by the
# daemon and SIGKILL by the kernel, both logged, and the daemon stays; a
# shutdown (shutdown.target pulled in) stops it at once, enforcement pinned.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[[ -f ${PORTCULLIS_DEB:-} ]] || fail "no package to install: PORTCULLIS_DEB='${PORTCULLIS_DEB:-}'"

if [[ $PORTCULLIS_VM_PHASE == before-boot ]]; then
    # The guest's root is this machine's, a container image whose policy-rc.d
    # forbids maintainer scripts to start services: a real host has none.
    rm -f /usr/sbin/policy-rc.d
    # Nor is it a desktop: this machine's PackageKit (its apt hook starts dbus,
    # polkit and packagekitd in the guest after every apt run) and man-db's
    # index triggers cost a minute and more under TCG and test nothing of ours.
    rm -f /etc/apt/apt.conf.d/20packagekit
    systemctl mask packagekit.service >/dev/null 2>&1 || true
    rm -f /var/lib/man-db/auto-update
    # The package's dependencies are installed: apt needs no package lists to
    # install it from its file, and rebuilding its cache from this machine's
    # lists (no pkgcache.bin is kept here) costs seconds at every apt run.
    rm -rf /var/lib/apt/lists/*
    dpkg -i "$PORTCULLIS_DEB"
    [[ -L /etc/systemd/system/sysinit.target.wants/portcullis.service ]] ||
        fail "dpkg -i did not enable portcullis.service"
    [[ $(stat -c '%U %a' /etc/policies.d) == "root 755" ]] || fail "/etc/policies.d is $(stat -c '%U %a' /etc/policies.d)"
    cp "$FIXTURES"/seed/*.yaml /etc/policies.d/
    # As on many hosts, kubectl is a symlink into an SDK's directory.
    mkdir -p /opt/kube-sdk/bin /srv/data /mnt/data
    printf '#!/bin/sh\necho "kubectl ran: $*"\n' > /opt/kube-sdk/bin/kubectl
    chmod 0755 /opt/kube-sdk/bin/kubectl
    ln -sfn /opt/kube-sdk/bin/kubectl /usr/bin/kubectl

    # pcvm-tool may be run by the program pcvm-shell only; a pcvm-shell of user
    # pcvm-early starts before portcullis and tries it every 0.1 s.
    unique_program pcvm-tool /usr/local/bin/pcvm-tool
    cp /bin/bash /usr/local/bin/pcvm-shell
    cat > /etc/policies.d/pcvm-tool.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: pcvm-tool-from-pcvm-shell-only }
spec:
  rules:
    - exec: { path: /usr/local/bin/pcvm-tool }
      subject: { except: [{ path: /usr/local/bin/pcvm-shell }] }
      action: deny
YAML
    useradd --system --no-create-home --shell /usr/sbin/nologin pcvm-early
    install -d -o pcvm-early -g pcvm-early /var/lib/pcvm-early
    cat > /etc/systemd/system/pcvm-early.service <<'UNIT'
[Unit]
Description=a process of another user, older than portcullis
DefaultDependencies=no
Before=portcullis.service sysinit.target
[Service]
Type=exec
User=pcvm-early
ExecStart=/usr/local/bin/pcvm-shell -c 'while :; do if /usr/local/bin/pcvm-tool; then echo ran; else echo denied; fi >> /var/lib/pcvm-early/log; sleep 0.1; done'
[Install]
WantedBy=sysinit.target
UNIT
    systemctl enable pcvm-early.service

    # What the steps below need of systemd is in place before boot, so that no
    # step needs a daemon-reload for it (each costs 3-5 s under TCG). The
    # upgrade's new daemon finds the programs of "another build" pinned: while
    # /run/pcvm-other-build exists, a start first makes the pinned programs
    # look like another build's (pc_meta, as 70-persistence.sh does).
    cat > /usr/local/sbin/pcvm-other-build <<'SH'
#!/bin/sh
[ -e /run/pcvm-other-build ] || exit 0
# The guardian post falls vacant once the kernel frees the old daemon.
for try in $(seq 100); do
    if bpftool map update pinned /sys/fs/bpf/portcullis/abi-10/maps/pc_meta key 0 0 0 0 value 1 2 3 4 5 6 7 8; then
        rm -f /run/pcvm-other-build
        exit 0
    fi
    sleep 0.1
done
exit 1
SH
    chmod 0755 /usr/local/sbin/pcvm-other-build
    mkdir -p /etc/systemd/system/portcullis.service.d
    printf '[Service]\nExecStartPre=+/usr/local/sbin/pcvm-other-build\n' > /etc/systemd/system/portcullis.service.d/pcvm-other-build.conf
    # The shutdown at the end: shutdown.target refuses a manual start; a target
    # of ours pulls it in, as poweroff.target does.
    printf '[Unit]\nDefaultDependencies=no\nRequires=shutdown.target\nAfter=shutdown.target\n' > /etc/systemd/system/pcvm-shutdown.target
    echo "before boot: installed $(dpkg-query -W -f '${Package} ${Version}' portcullis), enabled, seed policies in /etc/policies.d"
    exit 0
fi

# ---- booted, systemd is PID 1
[[ $(cat /proc/1/comm) == systemd ]] || fail "PID 1 is $(cat /proc/1/comm)"
on_fail() {
    systemctl status --no-pager portcullis || true
    journalctl --no-pager -b -o short-monotonic | grep -v CAP_NET_ADMIN | tail -n 60
}
# logged CONDITION...: the service's journal has an entry meeting every
# CONDITION (has_entry's). The FIELD=VALUE ones are given to journalctl as
# matches too: journald's index selects the entries, not a read of all of the
# unit's (which the journal's CAP_NET_ADMIN denials make long).
logged() {
    local condition
    local -a matches=()
    for condition in "$@"; do
        [[ $condition =~ ^[A-Z0-9_]+=[^=]*$ ]] && matches+=("$condition")
    done
    journalctl --no-pager -o json -u portcullis "${matches[@]}" > logged.json
    has_entry logged.json "$@"
}
# count MESSAGE_ID: the service's journal entries with MESSAGE_ID.
count() { journalctl --no-pager -o cat -u portcullis MESSAGE_ID="$1" | wc -l; }
count_above() { (($(count "$1") > $2)); }
# last_field MESSAGE_ID FIELD: FIELD of the service's last entry with MESSAGE_ID.
# (`-o cat` prints just the fields named: no Python start, half a second under TCG, per call.)
last_field() { journalctl --no-pager -o cat --output-fields="$2" -u portcullis MESSAGE_ID="$1" | tail -n 1; }
active() { [[ $(systemctl is-active portcullis) == active ]]; }
DISARMED=a33b5f6a00884e67a2be70551ebec1d2

# -- at boot
active || fail "portcullis.service is $(systemctl is-active portcullis) after boot"
[[ $(systemctl show -P Type portcullis) == notify ]] || fail "the unit is not Type=notify"
sysinit_at=$(systemctl show -P ActiveEnterTimestampMonotonic sysinit.target)
ready_at=$(systemctl show -P ActiveEnterTimestampMonotonic portcullis)
((ready_at <= sysinit_at)) || fail "service active at ${ready_at} µs, after sysinit.target at ${sysinit_at}"
# READY=1 carries the status in the same message: the generation in force when
# systemd saw the service ready. (Not the journal's time of the generation's
# entry: journald may take that in after PID 1 took in READY=1.)
[[ $(systemctl show -P StatusText portcullis) == "generation 1 applied: "* ]] ||
    fail "the service was ready without its first generation: $(systemctl show -P StatusText portcullis)"
logged MESSAGE_ID="$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START=attached PORTCULLIS_VERSION~. ||
    fail "no start entry naming the version"
logged MESSAGE_ID="$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT=4 || fail "the boot's generation does not hold the 4 rules"
echo "boot: active (sd_notify) $((ready_at / 1000)) ms after boot with the first generation, before sysinit.target ($((sysinit_at / 1000)) ms)"
echo "      status: $(systemctl show -P StatusText portcullis)"

# -- the unit as systemd sees it: clean, and sandboxed to an exposure of 2.5 or better
verify=$(systemd-analyze verify portcullis.service 2>&1) || fail "systemd-analyze verify failed: $verify"
[[ -z $verify ]] || fail "systemd-analyze verify is not clean: $verify"
exposure=$(systemd-analyze security --no-pager portcullis.service | sed -n 's/.*Overall exposure level for portcullis.service: \([0-9.]*\).*/\1/p')
[[ -n $exposure ]] || fail "no exposure from systemd-analyze security"
python3 -c "import sys; sys.exit(float('$exposure') > 2.5)" || fail "systemd-analyze security: exposure $exposure (more than 2.5)"
echo "unit: systemd-analyze verify clean; security exposure $exposure"

# -- the cache (CacheDirectory=): root's alone, with the digest of the seed's kubectl
CACHE=/var/cache/portcullis
[[ $(stat -c '%U %a' "$CACHE") == "root 700" ]] || fail "$CACHE: $(stat -c '%U %a' "$CACHE"), expected root 700"
[[ $(stat -c '%U %a' "$CACHE/content-digests") == "root 600" ]] ||
    fail "$CACHE/content-digests: $(stat -c '%U %a' "$CACHE/content-digests" 2>&1), expected root 600"
kube_sha=$(sha256sum /opt/kube-sdk/bin/kubectl | cut -d' ' -f1)
grep -q "^$kube_sha .* /usr/bin/kubectl$" "$CACHE/content-digests" ||
    fail "no digest of kubectl in $CACHE/content-digests: $(cat "$CACHE/content-digests")"
echo "cache: $CACHE (root, 0700) keeps the digest of /usr/bin/kubectl, content-digests mode 0600"

# -- the seed policies deny
kubectl version 2>/dev/null && fail "kubectl ran"
expect_eperm /usr/bin/kubectl
ip link set lo mtu 1400 2>/dev/null && fail "CAP_NET_ADMIN was usable"
mount -o bind /srv/data /mnt/data 2>/dev/null && fail "the bind mount succeeded"
expect_ok mount -t tmpfs none /mnt/data
umount /mnt/data
wait_until 10 logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_HOOK=capable PORTCULLIS_CAPABILITY=CAP_SYS_ADMIN \
    PORTCULLIS_POLICY=deny-hostpath-mount PORTCULLIS_COMM=mount
wait_until 10 logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/opt/kube-sdk/bin/kubectl \
    PORTCULLIS_POLICY=block-kubectl-execution
wait_until 10 logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_CAPABILITY=CAP_NET_ADMIN PORTCULLIS_COMM=ip \
    PORTCULLIS_POLICY=deny-net-admin-capability
# The cgroup and unit of a decision, named from the cgroup id the kernel
# recorded (the unit's capabilities and system call filter allow it): this
# scenario runs as portcullis-vm.service.
wait_until 10 logged MESSAGE_ID="$DECISION_DENY" PORTCULLIS_PATH=/opt/kube-sdk/bin/kubectl \
    PORTCULLIS_CGROUP=/system.slice/portcullis-vm.service PORTCULLIS_UNIT=portcullis-vm.service \
    PORTCULLIS_CGROUP_SOURCE=kernel
echo "seed policies: kubectl, CAP_NET_ADMIN and mount -o bind denied; journalctl -u portcullis:"
journalctl --no-pager -u portcullis -o cat MESSAGE_ID="$DECISION_DENY" | head -n 3 | sed 's/^/    /'

# -- the process of user pcvm-early, older than the programs, was seeded
early_log=/var/lib/pcvm-early/log
# tries_after N: the early loop has written more than N lines.
tries_after() { (($(wc -l < "$early_log") > $1)); }
check_early() {
    local before
    before=$(wc -l < "$early_log")
    wait_until 10 tries_after $((before + 5))
    tail -n +$((before + 1)) "$early_log" | grep -qv '^ran$' && fail "pcvm-tool was denied to the early pcvm-shell (user pcvm-early)"
    [[ $(stat -c %U /proc/"$(systemctl show -P MainPID pcvm-early)") == pcvm-early ]] || fail "pcvm-early.service does not run as its user"
    expect_eperm /usr/local/bin/pcvm-tool
    expect_eperm setpriv --reuid=pcvm-early --regid=pcvm-early --clear-groups /usr/local/bin/pcvm-tool
}
check_early
echo "seeding: the early pcvm-shell (user pcvm-early) runs pcvm-tool (its except holds); root and other pcvm-early processes may not"

# -- a literal rule on a /tmp path
mkdir -p /tmp/pcvm && unique_program tmp-tool /tmp/pcvm/tmp-tool
applied=$(count "$GENERATION_APPLIED")
cat > /etc/policies.d/tmp-tool.yaml <<'YAML'
apiVersion: portcullis/v1alpha1
kind: Policy
metadata: { name: no-tmp-tool }
spec:
  rules:
    - exec: { path: /tmp/pcvm/tmp-tool }
      action: deny
YAML
wait_until 30 count_above "$GENERATION_APPLIED" "$applied"
[[ $(last_field "$GENERATION_APPLIED" PORTCULLIS_RULE_COUNT) == 5 ]] || fail "the /tmp rule was not compiled"
expect_eperm /tmp/pcvm/tmp-tool
echo "/tmp: the literal rule on /tmp/pcvm/tmp-tool denies it"

# -- systemctl reload recompiles
applied=$(count "$GENERATION_APPLIED")
generation=$(last_field "$GENERATION_APPLIED" PORTCULLIS_GENERATION)
systemctl reload portcullis
wait_until 30 count_above "$GENERATION_APPLIED" "$applied"
[[ $(last_field "$GENERATION_APPLIED" PORTCULLIS_GENERATION) == $((generation + 1)) ]] || fail "reload did not apply a generation"
active || fail "not active after reload"
echo "reload: generation $((generation + 1)) compiled and applied"

# -- stop keeps enforcement; start and restart adopt
systemctl stop portcullis
[[ $(systemctl is-active portcullis) == inactive ]] || fail "still $(systemctl is-active portcullis) after stop"
expect_eperm /usr/bin/kubectl
expect_eperm /tmp/pcvm/tmp-tool
started=$(count "$DAEMON_STARTED")
systemctl start portcullis
[[ $(last_field "$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START) == adopted ]] || fail "start did not adopt the pins"
systemctl restart portcullis
[[ $(count "$DAEMON_STARTED") == $((started + 2)) ]] || fail "expected two more start entries"
[[ $(last_field "$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START) == adopted ]] || fail "restart did not adopt the pins"
expect_eperm /usr/bin/kubectl
echo "stop: still denied with no daemon; start and restart adopted the pinned programs"

# -- an upgrade: a newer package over the running one, with no gap
# The newer package holds the same build; the old daemon's programs are made to
# look like another build's just before the new daemon starts (ExecStartPre,
# installed before boot, told by /run/pcvm-other-build), so it replaces them,
# as a real upgrade's would.
dpkg-deb -R "$PORTCULLIS_DEB" newer
old_version=$(dpkg-query -W -f '${Version}' portcullis)
new_version="$old_version+vmtest1"
sed -i "s/^Version: .*/Version: $new_version/" newer/DEBIAN/control
dpkg-deb -Znone -b newer portcullis-newer.deb >/dev/null # uncompressed: compressing costs time under TCG
touch /run/pcvm-other-build
old_pid=$(systemctl show -P MainPID portcullis)
(
    while [[ ! -e stop-gap-loop ]]; do
        if /usr/bin/kubectl >/dev/null 2>&1; then echo ran; else echo denied; fi
        sleep 0.01
    done
) > gap.log &
gap_loop=$!
dpkg -i portcullis-newer.deb
[[ ! -e /run/pcvm-other-build ]] || fail "the upgrade's start did not make the pinned programs another build's"
sleep 1
touch stop-gap-loop
wait "$gap_loop"
[[ $(dpkg-query -W -f '${Version}' portcullis) == "$new_version" ]] || fail "the newer package is not installed"
active || fail "not active after the upgrade"
[[ $(systemctl show -P MainPID portcullis) != "$old_pid" ]] || fail "the upgrade did not restart the daemon"
[[ $(last_field "$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START) == upgraded ]] || fail "the new build did not replace the programs"
ran=$(grep -c '^ran$' gap.log || true)
((ran == 0)) || fail "kubectl ran $ran times during the upgrade"
(($(wc -l < gap.log) > 20)) || fail "the gap loop tried only $(wc -l < gap.log) times"
expect_eperm /usr/bin/kubectl
echo "upgrade: $old_version -> $new_version, the daemon restarted and replaced the programs; kubectl denied all $(wc -l < gap.log) tries"

# -- remove stops and disarms
dpkg --remove portcullis >/dev/null
[[ $(systemctl is-active portcullis) != active ]] || fail "still active after dpkg --remove"
[[ ! -e /sys/fs/bpf/portcullis/abi-10 ]] || fail "pins left after dpkg --remove: $(ls /sys/fs/bpf/portcullis/abi-10)"
[[ $(/usr/bin/kubectl version) == "kubectl ran: version" ]] || fail "kubectl still denied after dpkg --remove"
expect_ok /usr/local/bin/pcvm-tool
journalctl --no-pager -o json MESSAGE_ID="$DISARMED" | has_entry - MESSAGE_ID="$DISARMED" ||
    fail "no disarm entry in the journal"
ls /etc/policies.d/block-kubectl-execution.yaml /etc/policies.d/pcvm-tool.yaml >/dev/null || fail "remove took the policies"
echo "remove: service stopped, programs detached (disarm logged), policies kept"

# -- purge (of the removed package) leaves the admin's policies
dpkg --purge portcullis >/dev/null
[[ ! -e /etc/policies.d/README ]] || fail "purge left the README conffile"
[[ ! -e /var/cache/portcullis ]] || fail "purge left /var/cache/portcullis"
ls /etc/policies.d/block-kubectl-execution.yaml /etc/policies.d/tmp-tool.yaml >/dev/null || fail "purge took the admin's policies"
echo "purge: the package's files and cache gone, the admin's policies kept: $(cd /etc/policies.d && echo *)"

# -- install again on the running system: started, enforcing, seeding (and then locked, below)
started=$(count "$DAEMON_STARTED")
# (Without apt's shutdown inhibitor: taking it from logind costs 3-7 s under
# TCG, and it is apt's, not the package's.)
apt-get install -y -o DPkg::Inhibit-Shutdown=false "$PWD/portcullis-newer.deb" >/dev/null
active || fail "apt-get install did not start the service"
wait_until "$START_SECONDS" count_above "$DAEMON_STARTED" "$started"
[[ $(last_field "$DAEMON_STARTED" PORTCULLIS_PROGRAMS_START) == attached ]] || fail "the programs were not loaded anew"
expect_eperm /usr/bin/kubectl
check_early
echo "install: started and enforcing; the early pcvm-shell (user pcvm-early), older than these programs, was seeded again"

# -- locked: nothing but a shutdown stops the daemon
mkdir -p /etc/portcullis
echo "lock = yes" > /etc/portcullis/portcullis.conf
chmod 0644 /etc/portcullis/portcullis.conf
locked_before=$(count "$LOCKED")
systemctl restart portcullis
wait_until "$START_SECONDS" count_above "$LOCKED" "$locked_before"
pid=$(systemctl show -P MainPID portcullis)
mkdir -p /etc/systemd/system/portcullis.service.d
printf '[Unit]\nRefuseManualStop=yes\n' > /etc/systemd/system/portcullis.service.d/lock.conf
systemctl daemon-reload
refused_before=$(count "$TAMPER_REFUSED")
systemctl stop portcullis 2>stop.err && fail "systemctl stop of a locked daemon worked"
grep -q "refuse manual start/stop" stop.err || fail "systemctl stop failed otherwise: $(cat stop.err)"
systemctl kill -s TERM portcullis
wait_until 5 logged MESSAGE_ID="$TAMPER_REFUSED" PORTCULLIS_TAMPER=stop PORTCULLIS_SIGNAL=SIGTERM
systemctl kill --kill-who=main -s KILL portcullis 2>/dev/null || true
wait_until 5 count_above "$TAMPER_REFUSED" $((refused_before + 1))
sleep 1
kill -0 "$pid" && active && [[ $(systemctl show -P MainPID portcullis) == "$pid" ]] ||
    fail "the locked daemon (pid $pid) is gone: $(systemctl is-active portcullis), MainPID $(systemctl show -P MainPID portcullis)"
"$PORTCULLIS" status | grep -q "^tamper protection: locked until reboot" || fail "status: $("$PORTCULLIS" status)"
echo "locked: systemctl stop refused by systemd, SIGTERM (systemctl kill) by the daemon, SIGKILL from PID 1 by the kernel; all logged:"
journalctl --no-pager -u portcullis -o cat MESSAGE_ID="$TAMPER_REFUSED" | tail -n 2 | sed 's/^/    /'

# A shutdown: PID 1 says `stopping`, and the daemon heeds its SIGTERM (this
# scenario's own unit has no default dependencies, so it goes on).
stopping_before=$(count "$DAEMON_STOPPING")
refused_before=$(count "$TAMPER_REFUSED")
# (pcvm-shutdown.target, installed before boot, pulls in shutdown.target.)
systemctl start --no-block pcvm-shutdown.target
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_until 20 gone
[[ $(systemctl show -P SystemState 2>/dev/null || systemctl is-system-running) == stopping ]] ||
    fail "the system is not stopping: $(systemctl is-system-running)"
count_above "$DAEMON_STOPPING" "$stopping_before" || fail "the daemon did not log its stop"
[[ $(last_field "$DAEMON_STOPPING" PORTCULLIS_SIGNAL) == SIGTERM ]] || fail "the daemon stopped on another signal"
(($(count "$TAMPER_REFUSED") == refused_before)) || fail "the shutdown's stop was refused"
expect_eperm /usr/bin/kubectl
echo "shutdown: the locked daemon stopped on PID 1's SIGTERM; enforcement stays pinned (kubectl denied)"

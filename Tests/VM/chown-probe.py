# A process that keeps using CAP_CHOWN without ever exec'ing again, for the
# scenarios on subjects of running processes (84, 85). Copied into the
# scenario's directory as probe.py, so its arguments read `probe.py MARKER ...`.
# argv: MARKER TARGET LOG [fork]: chown(2) TARGET to the owner it already has
# (still CAP_CHOWN when that owner is not the caller) every 20 ms, logging
# "ok" or "eperm" to LOG, until ./stop-probes exists. With `fork`, a forked
# child (no exec of its own) does the same, logging to LOG.child.
import os, sys, time

target, log = sys.argv[2], sys.argv[3]
if len(sys.argv) > 4 and sys.argv[4] == "fork" and os.fork() == 0:
    log += ".child"
with open(log, "a", buffering=1) as out:
    while not os.path.exists("stop-probes"):
        try:
            os.chown(target, 1234, 1234)
            out.write("ok\n")
        except PermissionError:
            out.write("eperm\n")
        time.sleep(0.02)

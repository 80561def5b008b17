"""Benchmark helper (issue 14, Tests/VM/bench/update.sh): tries to execute a
file until the kernel refuses it, and says when.

The file is one the kernel cannot run (no ELF header, no #!): while its exec
is allowed, execve fails with ENOEXEC after the security hooks have let it
through, and the process carries on; once a rule denies it, execve fails with
EACCES or EPERM in the hook. Each try is one execve, with no fork and no
program start, so the time to the first refusal is the enforcement's own, not
the measuring loop's (a fork and exec of a real program costs about 35 ms
under TCG, a try here well under one).

usage: exec_probe.py TOOL READY [SOURCE TARGET]
  Tries TOOL once (it must be allowed), writes READY, then tries it every
  PAUSE (1 ms) until refused. Prints the time of the first refusal in µs since
  the epoch; with SOURCE and TARGET, renames SOURCE to TARGET just after READY
  and prints instead the µs from just before the rename to the refusal.
"""
import errno
import os
import sys
import time

PAUSE = 0.001


def refused(tool):
    try:
        os.execv(tool, [tool])
    except OSError as error:
        if error.errno == errno.ENOEXEC:
            return False
        if error.errno in (errno.EACCES, errno.EPERM):
            return True
        raise
    raise SystemExit(f"{tool} was executed: it must be a file the kernel cannot run")


def main():
    tool, ready = sys.argv[1], sys.argv[2]
    rename = sys.argv[3:5]
    if refused(tool):
        raise SystemExit(f"{tool} is refused before its rule")
    open(ready, "w").close()
    start = time.time_ns()
    if rename:
        os.rename(*rename)
    while not refused(tool):
        time.sleep(PAUSE)
    end = time.time_ns()
    print((end - start) // 1000 if rename else end // 1000)


main()

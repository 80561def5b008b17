#!/usr/bin/env python3
"""Holds one exec half-way, between the exec hook and the exec's completion.

exec-hold.py FILE DIR: watches FILE (a program's ELF interpreter) with
fanotify's FAN_OPEN_EXEC_PERM. An exec opens its interpreter after
bprm_check_security and before sched_process_exec. The open of a pid listed in
DIR/hold (one line) is held: DIR/held is created, and the open is allowed once
DIR/release exists. Every other open is allowed at once, so the rest of the
system runs on. Writes DIR/ready once the mark is set.
"""
import ctypes
import os
import select
import struct
import sys

FAN_CLOEXEC = 0x1
FAN_CLASS_CONTENT = 0x4
FAN_MARK_ADD = 0x1
FAN_OPEN_EXEC_PERM = 0x40000
FAN_ALLOW = 0x1
AT_FDCWD = -100
METADATA = struct.Struct("IBBHQii")  # event_len, vers, reserved, metadata_len, mask, fd, pid


def main(watched, directory):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
    fan = libc.fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, os.O_RDONLY | os.O_LARGEFILE)
    if fan < 0:
        sys.exit(f"exec-hold: fanotify_init: {os.strerror(ctypes.get_errno())}")
    if libc.fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, watched.encode()) < 0:
        sys.exit(f"exec-hold: fanotify_mark {watched}: {os.strerror(ctypes.get_errno())}")
    path = lambda name: os.path.join(directory, name)
    open(path("ready"), "w").close()
    held = None  # the held open's event fd
    while True:
        if held is not None and os.path.exists(path("release")):
            os.write(fan, struct.pack("iI", held, FAN_ALLOW))
            os.close(held)
            held = None
            open(path("released"), "w").close()
        if not select.select([fan], [], [], 0.05)[0]:
            continue
        data = os.read(fan, 4096)
        try:
            hold = int(open(path("hold")).read())
        except (OSError, ValueError):
            hold = None
        offset = 0
        while offset + METADATA.size <= len(data):
            length, _, _, _, _, fd, pid = METADATA.unpack_from(data, offset)
            offset += length
            if pid == hold and held is None and not os.path.exists(path("held")):
                held = fd
                open(path("held"), "w").close()
                continue
            os.write(fan, struct.pack("iI", fd, FAN_ALLOW))
            os.close(fd)


if __name__ == "__main__":
    main(*sys.argv[1:])

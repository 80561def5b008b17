// The system libsystemd (Debian libsystemd-dev, pkg-config libsystemd), for
// PortcullisJournal (sd_journal_sendv and sd_notify) and the daemon (sd-bus:
// asking PID 1 whether the system is shutting down).
#ifndef PORTCULLIS_CSYSTEMD_SHIM_H
#define PORTCULLIS_CSYSTEMD_SHIM_H
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif

// The system libsystemd (Debian libsystemd-dev, pkg-config libsystemd), for
// PortcullisJournal: sd_journal_sendv and sd_notify.
#ifndef PORTCULLIS_CSYSTEMD_SHIM_H
#define PORTCULLIS_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif

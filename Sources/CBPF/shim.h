/* libbpf, as Swift sees it (Debian: libbpf-dev), and pidfd_open(2), whose
 * descriptors key task-storage maps. */
#ifndef CBPF_SHIM_H
#define CBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

/* pidfd_open(2); glibc 2.36 has a wrapper, older ones only the number. */
static inline int portcullis_pidfd_open(int pid)
{
	return (int)syscall(434 /* SYS_pidfd_open */, pid, 0);
}
#endif

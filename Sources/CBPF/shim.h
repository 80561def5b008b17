/* libbpf, as Swift sees it (Debian: libbpf-dev), pidfd_open(2), whose
 * descriptors key task-storage maps, and statx(2) for the host's mount table. */
#ifndef CBPF_SHIM_H
#define CBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/stat.h>
#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800 /* glibc defines it under _GNU_SOURCE only */
#endif

/* pidfd_open(2); glibc 2.36 has a wrapper, older ones only the number. */
static inline int portcullis_pidfd_open(int pid)
{
	return (int)syscall(434 /* SYS_pidfd_open */, pid, 0);
}

/*
 * The inode number of the root of the mount reached at `path`, when that mount's
 * id is `mount_id` (else it is hidden under another), and the device stat(2)
 * gives it (the kernel's dev_t: on btrfs, its subvolume's): 0, or -1.
 */
static inline int portcullis_mount_root_inode(const char *path, unsigned long long mount_id, unsigned long long *ino,
					      unsigned int *dev)
{
	struct statx stx;
	if (syscall(SYS_statx, AT_FDCWD, path, AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &stx))
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID) || stx.stx_mnt_id != mount_id)
		return -1;
	*ino = stx.stx_ino;
	*dev = stx.stx_dev_major << 20 | stx.stx_dev_minor;
	return 0;
}

/*
 * The regular file at `path` (symlinks followed): the id of the mount it is on,
 * its inode number, and the device stat(2) gives it (the kernel's dev_t; not
 * always its superblock's: overlayfs reports a layer's, btrfs a subvolume's).
 * 0, or -1.
 */
static inline int portcullis_file_mount_inode(const char *path, unsigned long long *mount_id,
					      unsigned long long *ino, unsigned int *dev)
{
	struct statx stx;
	if (syscall(SYS_statx, AT_FDCWD, path, AT_NO_AUTOMOUNT, STATX_TYPE | STATX_INO | STATX_MNT_ID, &stx))
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_mask & STATX_TYPE) || (stx.stx_mode & 0170000) != 0100000)
		return -1;
	*mount_id = stx.stx_mnt_id;
	*ino = stx.stx_ino;
	*dev = stx.stx_dev_major << 20 | stx.stx_dev_minor;
	return 0;
}
#endif

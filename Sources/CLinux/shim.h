/* Linux and glibc interfaces Swift's Glibc module leaves out: epoll(7), malloc_trim(3), signalfd(2), statfs(2),
 * and file handles (open_by_handle_at(2)) for cgroup v2 ids. */
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

/* A file handle naming a kernfs node, such as a cgroup v2 directory, by its
 * 64-bit id: struct file_handle (glibc declares it, and the two calls, under
 * _GNU_SOURCE only, which this header does not set for every user of CLinux)
 * with room for exactly the id. The kernel's FILEID_KERNFS handle type. */
#define CLINUX_FILEID_KERNFS 0xfe
struct clinux_kernfs_handle {
	unsigned int handle_bytes; /* 8 */
	int handle_type;           /* CLINUX_FILEID_KERNFS */
	unsigned long long id;     /* f_handle: the node's id, in the host's byte order */
};

/* open_by_handle_at(2): needs CAP_DAC_READ_SEARCH. */
static inline int clinux_open_by_handle_at(int mount_fd, struct clinux_kernfs_handle *handle, int flags)
{
	return (int)syscall(SYS_open_by_handle_at, mount_fd, handle, flags);
}

/* name_to_handle_at(2): no privilege needed. `handle->handle_bytes` is the room
 * for the id on the way in (8); a handle that needs more fails with EOVERFLOW. */
static inline int clinux_name_to_handle_at(int dirfd, const char *path, struct clinux_kernfs_handle *handle,
					   int *mount_id, int flags)
{
	return (int)syscall(SYS_name_to_handle_at, dirfd, path, handle, mount_id, flags);
}
#endif

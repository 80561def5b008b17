/* Starting a program directly in a cgroup (clone3 with CLONE_INTO_CGROUP), for the
 * differential selftest: the child is in the cgroup before its first instruction,
 * so its exec, and the program's every decision, happen there. */
#ifndef SELFTEST_SPAWN_H
#define SELFTEST_SPAWN_H
#include <sys/types.h>

/* Starts `path` with `argv` and `envp` in the cgroup whose directory `cgroup_fd` is
 * open (O_PATH or O_RDONLY), with `stdout_fd` and `stderr_fd` as its stdout and
 * stderr. First, when they are not NULL: in a mount namespace of its own,
 * `bind_source` bind-mounted on `bind_target`; then chrooted into `root` (`path`
 * is then inside it). Returns 0 and the child's pid in *pid, or the errno of the
 * failed step (clone3, or the child's dup2, unshare, mount, chroot or execve: the
 * child is then reaped). Like vfork, it returns once the child has exec'd or
 * failed. */
int portcullis_spawn_in_cgroup(int cgroup_fd, const char *bind_source, const char *bind_target, const char *root,
			       const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
			       pid_t *pid);
#endif

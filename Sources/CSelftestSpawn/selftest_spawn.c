#define _GNU_SOURCE
#include "selftest_spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int portcullis_spawn_in_cgroup(int cgroup_fd, const char *bind_source, const char *bind_target, const char *root,
			       const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd,
			       pid_t *pid)
{
	/* The child writes the errno of a failed step here; a successful exec closes it. */
	int report[2];
	if (pipe2(report, O_CLOEXEC))
		return errno;
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)cgroup_fd;
	/* No CLONE_VM: the child has a copy of the memory, as after fork, and only
	 * makes system calls before it execs. */
	long child = syscall(SYS_clone3, &args, sizeof(args));
	if (child < 0) {
		int e = errno;
		close(report[0]);
		close(report[1]);
		return e;
	}
	if (child == 0) {
		int e;
		if ((stdout_fd >= 0 && dup2(stdout_fd, 1) < 0) || (stderr_fd >= 0 && dup2(stderr_fd, 2) < 0) ||
		    (bind_source && (unshare(CLONE_NEWNS) < 0 || mount(0, "/", 0, MS_REC | MS_PRIVATE, 0) < 0 ||
				     mount(bind_source, bind_target, 0, MS_BIND, 0) < 0)) ||
		    (root && (chroot(root) < 0 || chdir("/") < 0))) {
			e = errno;
		} else {
			execve(path, argv, envp);
			e = errno;
		}
		while (write(report[1], &e, sizeof(e)) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(report[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(report[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid((pid_t)child, 0, 0) < 0 && errno == EINTR)
			;
		return e;
	}
	*pid = (pid_t)child;
	return 0;
}

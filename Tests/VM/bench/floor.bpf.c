// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c: the floor of scripts/bench-hooks. Empty programs on the hooks
 * portcullis uses, each passing the previous verdict on as ours chain it
 * (bpf/capable.bpf.c). What they cost per call is what any BPF-LSM program
 * costs there: the trampoline, and the statistics themselves.
 * Named fl_ + the name of our program on the same hook.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct linux_binprm;
struct file;
struct vm_area_struct;
struct cred;
struct user_namespace;
struct path;
struct task_struct;

char LICENSE[] SEC("license") = "GPL";

SEC("lsm/bprm_check_security")
int BPF_PROG(fl_exec, struct linux_binprm *bprm, int ret)
{
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(fl_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	return ret;
}

SEC("lsm/file_mprotect")
int BPF_PROG(fl_mprotect_exec, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot, int ret)
{
	return ret;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fl_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	return 0;
}

SEC("lsm/task_alloc")
int BPF_PROG(fl_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	return ret;
}

SEC("lsm/capable")
int BPF_PROG(fl_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts,
	     int ret)
{
	return ret;
}

SEC("lsm/sb_mount")
int BPF_PROG(fl_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags,
	     void *data, int ret)
{
	return ret;
}

SEC("lsm/move_mount")
int BPF_PROG(fl_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	return ret;
}

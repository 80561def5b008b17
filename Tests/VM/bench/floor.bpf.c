// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c: the floor of scripts/bench-hooks. Empty programs on the hooks
 * portcullis uses, each passing the previous verdict on as ours chain it
 * (bpf/capable.bpf.c). What they cost per call is what any BPF-LSM program
 * costs there: the trampoline, and the statistics themselves.
 * Named fl_ + the name of our program on the same hook.
 *
 * The d_path floor (fd_): on the exec and executable-mapping hooks, the one
 * thing a path rule cannot do without, the file's canonical path
 * (bpf_d_path), and nothing else: what those hooks cost at the least.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* What the d_path floor reads (CO-RE: libbpf fixes the offsets against the kernel's BTF). */
struct path {
	void *mnt;
	void *dentry;
} __attribute__((preserve_access_index));
struct file {
	struct path f_path;
} __attribute__((preserve_access_index));
struct linux_binprm {
	struct file *file;
} __attribute__((preserve_access_index));
struct vm_area_struct;
struct cred;
struct user_namespace;
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

struct fd_path {
	char data[4096];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fd_path);
} fd_buf SEC(".maps");

SEC("lsm/bprm_check_security")
int BPF_PROG(fd_exec, struct linux_binprm *bprm, int ret)
{
	__u32 zero = 0;
	struct fd_path *buf = bpf_map_lookup_elem(&fd_buf, &zero);
	if (buf)
		bpf_d_path(&bprm->file->f_path, buf->data, sizeof(buf->data));
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(fd_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	__u32 zero = 0;
	struct fd_path *buf = bpf_map_lookup_elem(&fd_buf, &zero);
	if (buf && file && (prot & 4 /* PROT_EXEC */))
		bpf_d_path(&file->f_path, buf->data, sizeof(buf->data));
	return ret;
}

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
 *
 * The parts floor (fw_): what a decision cannot do without, with the policy in
 * force. On the exec and executable-mapping hooks, the file's canonical path
 * (bpf_d_path) walked through the exec DFAs of the image the daemon installed
 * (its pc_image, which floor-loader reuses read-only: the same automata, the
 * same byte steps, with our own walk, pc_dfa.h); on the capability hook, the
 * capability's line of that image and, when a rule names it, one lookup of a
 * per-task record (the subjects the task is). With no image, nothing. When
 * the image has subject or argument conditions, a task record as large as
 * portcullis' (struct pc_task) in a task storage of the floor's own: at fork,
 * the child's made and the parent's copied into it; at exec, the path the exec
 * hook read kept, the new program's arguments read from its memory, and the
 * image's subject DFAs walked over both. What keeping per-task records cannot
 * do without.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
/* Our maps as the programs declare them; floor-loader reuses the pinned pc_image and pc_summary, the rest are the floor's own. */
#define PC_DEFINE_MAPS
#include "pc_exec_paths.h"

#include "bench_kernel.h" /* what the floors and warmers read */

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

/* What the walks found, kept so that nothing is optimized away. */
__u32 fw_found;

/* The parts floor's task records, as large as portcullis' own. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pc_task);
} fw_records SEC(".maps");

/* Whether the images in force need task records, as portcullis' summary says (one inlined lookup). */
static __always_inline int fw_records_wanted(void)
{
	__u32 zero = 0;
	struct pc_summary *summary = bpf_map_lookup_elem(&pc_summary, &zero);
	return summary && summary->task_records;
}

/*
 * bpf_d_path of `path`, walked through every exec DFA of the active image;
 * read too when the path goes into a record (`keep`). *length: the path's.
 */
static __always_inline struct pc_path_buf *fw_walk(void *image, struct path *path, int keep, __u32 *length)
{
	__u32 zero = 0, lists[PC_EXEC_DFA_MAX];
	*length = 0;
	int dfa = image && pc_word(image, PC_HDR_EXEC_DFA);
	if (!dfa && !keep)
		return 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	if (!buf)
		return 0;
	long n = bpf_d_path(path, buf->data, sizeof(buf->data));
	if (n <= 1)
		return 0;
	*length = n - 1;
	if (dfa) {
		pc_exec_paths_accepts(image, buf->data, n - 1, lists);
		fw_found = lists[0];
	}
	return buf;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(fw_exec, struct linux_binprm *bprm, int ret)
{
	void *image = pc_image_get();
	__u32 length;
	int keep = fw_records_wanted();
	struct pc_path_buf *buf = fw_walk(image, &bprm->file->f_path, keep, &length);
	/* Records kept: the path staged for the exec's end, as the exec hook stages it. */
	struct pc_task *record = buf && keep ? bpf_task_storage_get(&fw_records, bpf_get_current_task_btf(), 0, 0) : 0;
	if (record && length <= PC_TASK_TEXT_MAX &&
	    !bpf_probe_read_kernel(record->exec_exe.data, PC_TASK_TEXT_MAX, buf->data))
		record->exec_exe.length = length;
	return ret;
}

SEC("lsm/task_alloc")
int BPF_PROG(fw_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret || !fw_records_wanted())
		return ret;
	struct pc_task *parent = bpf_task_storage_get(&fw_records, bpf_get_current_task_btf(), 0,
						      BPF_LOCAL_STORAGE_GET_F_CREATE);
	struct pc_task *child = parent ? bpf_task_storage_get(&fw_records, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) : 0;
	if (child)
		bpf_probe_read_kernel(child, sizeof(*child), parent);
	return ret;
}

/* `text` (at most PC_TASK_TEXT_MAX bytes) walked through the DFA at header word `dfa_word`. */
static __always_inline void fw_subjects(void *image, __u32 dfa_word, const char *text, __u32 length)
{
	__u32 dfa = pc_word(image, dfa_word), state;
	if (dfa)
		fw_found ^= pc_dfa_walk(image, dfa, text, 0, length, &state);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fw_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0;
	struct pc_task *record = fw_records_wanted()
		? bpf_task_storage_get(&fw_records, bpf_get_current_task_btf(), 0, 0) : 0;
	void *image = record ? pc_image_get() : 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	if (!image || !buf)
		return 0;
	/* The executable's path, as the exec hook staged it. */
	__u32 length = record->exec_exe.length;
	record->exe.length = length;
	if (length <= PC_TASK_TEXT_MAX &&
	    !bpf_probe_read_kernel(record->exe.data, PC_TASK_TEXT_MAX, record->exec_exe.data) &&
	    !bpf_probe_read_kernel(buf->data, PC_TASK_TEXT_MAX, record->exe.data))
		fw_subjects(image, PC_HDR_SUBJECT_EXE_DFA, buf->data, length);
	/* The arguments, from the new program's memory. */
	struct mm_struct *mm = p->mm;
	unsigned long start = mm ? mm->arg_start : 0, end = mm ? mm->arg_end : 0;
	length = end > start && end - start <= PC_TASK_TEXT_MAX ? end - start : PC_TASK_TEXT_MAX;
	if (end > start && !bpf_probe_read_user(buf->data, length, (void *)start) &&
	    !bpf_probe_read_kernel(record->args.data, PC_TASK_TEXT_MAX, buf->data)) {
		record->args.length = length;
		fw_subjects(image, PC_HDR_SUBJECT_ARGS_DFA, buf->data, length);
	}
	return 0;
}

SEC("lsm/mmap_file")
int BPF_PROG(fw_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	__u32 length;
	if (file && (prot & 4 /* PROT_EXEC */))
		fw_walk(pc_image_get(), &file->f_path, 0, &length);
	return ret;
}

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} fw_tasks SEC(".maps");

SEC("lsm/capable")
int BPF_PROG(fw_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts,
	     int ret)
{
	void *image = pc_image_get();
	if (!image || cap < 0 || cap >= PC_CAP_COUNT)
		return ret;
	struct pc_image_line *header = pc_line(image, 0);
	__u32 caps = header ? header->w[PC_HDR_CAPS] : 0;
	struct pc_image_line *entry = caps ? pc_line(image, caps / PC_LINE_WORDS + cap) : 0;
	__u32 named = 0;
	if (entry)
		for (int i = 0; i < PC_LINE_WORDS; i++)
			named |= entry->w[i];
	if (named) {
		__u64 *subjects = bpf_task_storage_get(&fw_tasks, bpf_get_current_task_btf(), 0,
						       BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (subjects)
			fw_found = (__u32)*subjects;
	}
	return ret;
}

/*
 * The warmers (fz_), attached after every other program here, so on each LSM
 * hook they run first (a trampoline calls the last attached first); on the
 * exec tracepoint, where the first attached runs first, warm-tp.bpf.c's runs
 * first, attached before the daemon. Under TCG the first program after a
 * context switch meets cold the pages every program there shares (the
 * guest's TLB is emptied at each switch of address space): the trampoline's,
 * the task's, what the hook's arguments point to. Without a warmer that cost
 * falls on whichever program runs first: the floors on the LSM hooks (ours
 * ran warm), ours on the tracepoint (its floors ran warm). A warmer reads
 * what the hook's arguments point to (the file's path with bpf_d_path, and
 * its inode; on file_mprotect the inode only, as ours), is not counted, and leaves each measured program only the
 * pages of its own.
 */
static __always_inline void fz_touch(struct file *file)
{
	__u32 zero = 0;
	struct fd_path *buf = bpf_map_lookup_elem(&fd_buf, &zero);
	if (!buf || !file)
		return;
	bpf_d_path(&file->f_path, buf->data, sizeof(buf->data));
	fw_found ^= file->f_inode ? (__u32)file->f_inode->i_ino : 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(fz_exec, struct linux_binprm *bprm, int ret)
{
	fz_touch(bprm->file);
	return ret;
}

SEC("lsm/mmap_file")
int BPF_PROG(fz_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	if (prot & 4 /* PROT_EXEC */)
		fz_touch(file);
	return ret;
}

SEC("lsm/file_mprotect")
int BPF_PROG(fz_mprotect_exec, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot, int ret)
{
	struct file *file = vma->vm_file; /* a pointer walked to: bpf_d_path takes none; its inode, as ours reads */
	if ((prot & 4 /* PROT_EXEC */) && file && file->f_inode)
		fw_found ^= (__u32)file->f_inode->i_ino;
	return ret;
}

SEC("lsm/task_alloc")
int BPF_PROG(fz_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct task_struct *me = bpf_get_current_task_btf();
	fw_found ^= task->pid ^ me->pid;
	return ret;
}

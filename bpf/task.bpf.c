// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * task.bpf.c: keeping each task's record (struct pc_task). Once an exec has
 * completed, the path the exec hook staged becomes the executable's, the new
 * image's arguments are in its memory and no code of it has run yet, so they
 * are read here, race-free, with the task's cgroup path; then the subjects are
 * computed for the active image and for the pending one, and the exec rules
 * with argument conditions are decided. fork and clone copy the parent's
 * record (a child started in another cgroup, CLONE_INTO_CGROUP, has its cgroup
 * read again at its first decision: pc_subjects_refresh). While no image needs
 * records (pc_summary), none are made or copied, and an exec drops its own.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pc_task_view.h"
#include "pc_subjects.h"
#include "pc_rules.h"
#include "pc_events.h"
#include "pc_inodes.h"
#include "pc_exec_paths.h"
#include "pc_exec_check.h"

#define SIGKILL 9

struct pc_argv0_scan {
	const char *text;
	__u32 length;
	__u32 first; /* the NUL after argv[0] */
};

/* Byte i of the arguments: the first NUL ends argv[0] (bpf_loop: verified once, not per byte). */
static long pc_argv0_step(__u32 i, struct pc_argv0_scan *scan)
{
	if (i >= scan->length)
		return 1;
	if (scan->text[i & (PC_PATH_MAX - 1)] == 0) {
		scan->first = i;
		return 1;
	}
	return 0;
}

/* Keeps argv[1..] of the current image (its memory from arg_start to arg_end) in `args`. */
static __always_inline void pc_keep_args(struct task_struct *p, struct pc_task_text *args)
{
	args->flags = 0;
	args->length = 0;
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct mm_struct *mm = p->mm;
	unsigned long start = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long end = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	unsigned long length = end - start;
	if (!buf || end <= start || length > sizeof(buf->data) ||
	    bpf_probe_read_user(buf->data, length & (PC_PATH_MAX - 1) ?: PC_PATH_MAX, (void *)start))
		return; /* unknown: matches every argument condition */
	/* Skip argv[0] (at most PC_ARGV0_MAX bytes); the final NUL ends the text. */
	struct pc_argv0_scan scan = { .text = buf->data, .length = length, .first = PC_ARGV0_MAX };
	bpf_loop(PC_ARGV0_MAX, pc_argv0_step, &scan, 0);
	__u32 first = scan.first;
	if (first >= PC_ARGV0_MAX)
		return;
	__u32 from = first + 1 < length ? first + 1 : length;
	__u32 size = length - 1 > from ? length - 1 - from : 0;
	args->flags = PC_TEXT_KNOWN;
	if (size > PC_TASK_TEXT_MAX) {
		size = PC_TASK_TEXT_MAX;
		args->flags |= PC_TEXT_CUT;
	}
	if (bpf_probe_read_kernel(args->data, PC_TASK_TEXT_MAX, buf->data + (from & (PC_ARGV0_MAX * 2 - 1)))) {
		args->flags = 0;
		return;
	}
	args->length = size;
}

/* Reports a decision of the argument rules, with the executable's path. */
static __always_inline void pc_exec_args_report(void *image, struct pc_task *task, __u32 action, __u32 rule,
						__u32 flags)
{
	struct pc_event *e = pc_event_start(image, PC_HOOK_EXEC, action, rule);
	if (!e)
		return;
	e->flags = flags;
	__u32 length = task->exe.length;
	if ((task->exe.flags & PC_TEXT_KNOWN) && length <= PC_TASK_TEXT_MAX &&
	    !bpf_probe_read_kernel(e->path, PC_TASK_TEXT_MAX, task->exe.data))
		e->path_bytes = length + 1; /* pc_event_send ends it there */
	pc_event_send(e);
}

/* The strongest of the argument rules in the accept lists the exec hook kept. */
static __always_inline __u32 pc_exec_args_staged(void *image, const struct pc_exec_lists *staged,
						 const struct pc_exec_when *when, __u32 *decider, __u32 *doubt)
{
	return pc_exec_rules(image, staged->lists, staged->count, 0, 0, when, decider, doubt);
}

/*
 * The strongest of the argument rules by the path kept in `exe` (at most
 * PC_TASK_TEXT_MAX bytes) and bprm->file's identity: when the exec hook's
 * lists are not usable (a generation swap during the exec). A path cut while
 * it may still match is denied (fail closed: *unreadable).
 */
static __always_inline __u32 pc_exec_args_by_exe(void *image, struct pc_task *task, struct linux_binprm *bprm,
						 const struct pc_exec_when *when, __u32 *decider, __u32 *doubt,
						 int *unreadable)
{
	__u32 zero = 0, lists[PC_EXEC_DFA_MAX + 1] = {};
	__u32 dfa = pc_word(image, PC_HDR_EXEC_DFA);
	int alive = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	__u32 length = task->exe.length;
	int known = buf && (task->exe.flags & PC_TEXT_KNOWN) && length <= PC_TASK_TEXT_MAX &&
		    !bpf_probe_read_kernel(buf->data, PC_TASK_TEXT_MAX, task->exe.data);
	*decider = PC_RULE_NONE;
	*doubt = 0;
	if (known && dfa)
		alive = pc_exec_paths_accepts(image, buf->data, length, lists);
	if (dfa && (!known || ((task->exe.flags & PC_TEXT_CUT) && alive) || (task->exe.flags & PC_TEXT_ALIASED))) {
		*unreadable = 1;
		return PC_ACTION_DENY;
	}
	if (task->exe.flags & PC_TEXT_CUT)
		for (int i = 0; i < PC_EXEC_DFA_MAX; i++)
			lists[i] = 0;
	lists[PC_EXEC_DFA_MAX] = pc_inode_accepts(image, bprm->file);
	return pc_exec_rules(image, lists, PC_EXEC_DFA_MAX + 1, 0, 0, when, decider, doubt);
}

/*
 * The exec rules with argument conditions, decided once the exec has
 * completed: the arguments are in the new image's memory and none of its
 * code has run. Their path conditions were matched by the exec hook (the
 * accept lists it kept, for a script and its interpreter alike); the caller's
 * subjects were taken before the record was recomputed; the arguments' are
 * the new view's. A denial kills the program before its first instruction
 * (SIGKILL cannot be caught).
 */
static __noinline void pc_exec_args_decide(void *image, struct pc_task *task, struct linux_binprm *bprm,
					    struct pc_exec_when *when, int staged)
{
	__u64 generation = pc_generation(image), epoch = pc_subject_epoch(image);
	struct pc_task_view *view = &task->views[epoch & 1];
	int known = epoch && view->epoch == epoch; /* else a swap came between the lookups: unknown */
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		when->args.possible[i] = known ? view->possible[i] : ~0u;
		when->args.certain[i] = known ? view->certain[i] : 0;
	}
	__u32 action, rule, doubt;
	int unreadable = 0;
	if (staged && task->exec_lists.generation == generation && task->exec_lists.count <= PC_EXEC_LISTS_MAX)
		action = pc_exec_args_staged(image, &task->exec_lists, when, &rule, &doubt);
	else
		action = pc_exec_args_by_exe(image, task, bprm, when, &rule, &doubt, &unreadable);
	task->exec_lists.count = PC_EXEC_LISTS_MAX + 1;
	if (action == PC_ACTION_NONE)
		return;
	__u32 flags = PC_EVENT_EXEC_DONE | (unreadable ? PC_EVENT_PATH_UNREADABLE : 0) |
		      (doubt ? PC_EVENT_CONDITION_UNKNOWN : 0);
	pc_exec_args_report(image, task, action, rule, flags);
	if (action == PC_ACTION_DENY)
		bpf_send_signal(SIGKILL);
}

/*
 * The executable's path read now, from the file this exec runs, when the exec
 * hook staged none: no image needed records when it ran (one that does came
 * in during the exec), or the record could not be made then. Unread, every
 * exec that straddles the swap to a first image with argument rules would be
 * unknown, and killed. As the exec hook reads it (pc_exec_check): the host
 * path, empty for a program with no host path, cut past PC_TASK_TEXT_MAX,
 * marked when the file has other host paths. Not for an interpreter's exec (a
 * #! script, binfmt_misc: bprm->interp was replaced): the path rules met the
 * script's path too, which is gone by now, so the path stays unknown.
 */
static __always_inline void pc_exe_read_now(struct pc_task *task, struct linux_binprm *bprm)
{
	struct pc_task_text *exe = &task->exe;
	exe->flags = 0; /* unknown */
	exe->length = 0;
	if (bprm->interp != bprm->filename)
		return;
	struct file *file = bprm->file;
	long n = pc_host_path(file->f_path.dentry, 0);
	if (n == PC_HOST_NONE || (n > 0 && pc_file_is_anonymous(file))) {
		exe->flags = PC_TEXT_KNOWN; /* length 0: no host path */
		return;
	}
	__u32 zero = 0;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	if (n <= 0 || !path)
		return;
	__u32 aliases = PC_HOST_ALIASES(n);
	pc_text_keep_path(exe, path->data, PC_HOST_LENGTH(n), &aliases, 0);
}

/* Whether `image` (NULL: none) has unit or cgroup conditions. */
static __always_inline int pc_cgroup_conditions(void *image)
{
	return image && pc_word(image, PC_HDR_SUBJECT_CGROUP_DFA);
}

/* The caller's subjects, before this exec recomputes them (a frame of its own: the stack budget). */
static __noinline struct pc_exec_when *pc_exec_caller(void *image)
{
	return pc_exec_when_get(image, PC_ARGS_CHECK);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pc_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	if (!pc_task_records_wanted()) {
		/*
		 * What the record held was the old program's: a later image needing
		 * records seeds a new one. A task with no BPF storage at all (the
		 * common case then) has none to delete: one load, not a helper call.
		 */
		struct task_struct *me = bpf_get_current_task_btf();
		if (me->bpf_storage)
			bpf_task_storage_delete(&pc_tasks, me);
		return 0;
	}
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!task)
		return 0;
	void *image = pc_image_get();
	int args_rules = image && (pc_word(image, PC_HDR_EXEC_CONDITIONS) & PC_EXEC_HAS_ARGS);
	if (args_rules)
		pc_refresh_for_callers(image); /* the caller's view, current before this exec's texts replace its own */
	int staged = task->exec_exe.flags & PC_TEXT_STAGED;
	if (staged) {
		task->exe = task->exec_exe;
		task->exe.flags &= ~PC_TEXT_STAGED;
	} else {
		pc_exe_read_now(task, bprm);
	}
	task->exec_exe.flags = 0;
	pc_keep_args(p, &task->args);
	/* The caller's subjects, from its view: only recomputing below replaces them. */
	struct pc_exec_when *when = args_rules ? pc_exec_caller(image) : 0;
	/*
	 * The cgroup path only matters to images with cgroup conditions. Else the
	 * record keeps the path and id it had, a consistent pair: a later image
	 * with such conditions reads the path again once the id differs
	 * (pc_subjects_refresh).
	 */
	if (pc_cgroup_conditions(image) || pc_cgroup_conditions(pc_image_pending()))
		pc_cgroup_read(task);
	task->views[0].epoch = 0; /* the texts changed: no view holds until computed again */
	task->views[1].epoch = 0;
	pc_task_compute(task, PC_IMAGE_ACTIVE);
	pc_task_compute(task, PC_IMAGE_PENDING);
	if (when)
		pc_exec_args_decide(image, task, bprm, when, staged);
	return 0;
}

SEC("lsm/task_alloc")
int BPF_PROG(pc_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (!pc_task_records_wanted())
		return 0; /* no image needs one: the child has none (seeded from /proc if one comes to) */
	struct pc_task *parent = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!parent)
		return 0;
	struct pc_task *child = bpf_task_storage_get(&pc_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* A helper's copy: the record is larger than clang copies inline. */
	if (child && bpf_probe_read_kernel(child, sizeof(*child), parent))
		child->cgroup_id = 0; /* never read: the child reads its own at its first decision */
	return 0;
}

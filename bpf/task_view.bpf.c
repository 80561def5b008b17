// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * task_view.bpf.c: a task's view (struct pc_task) for one image: its cgroup
 * path, read from the kernel, and the subjects its record's texts make it.
 * These are global functions (declared in pc_task_view.h): the verifier
 * checks each once per program that uses it, not once per call, whatever the
 * caller's state. They take no image pointer (a global function cannot): each
 * looks up the image it needs in pc_image, and stamps what it computes with
 * that image's subject epoch, so a caller never mixes two generations' subjects.
 */
#include "pc_kernel.h"
#include "pc_task_view.h"
#include "pc_subjects.h"
#include "pc_acting.h"

/*
 * Adds to `part` the subjects one part of the task (its path, its arguments,
 * its cgroup) makes it, from `text`, by the DFA at header word `dfa_word`. A
 * text that is unknown, or cut and still alive in the DFA at its end, leaves
 * every condition on that part unknown: each subject is possible, none
 * becomes certain (fail closed for a deny, and no allow or except is met).
 */
static __always_inline void pc_text_subjects(void *image, __u32 dfa_word, const struct pc_task_text *text,
					     struct pc_subjects *part)
{
	__u32 dfa = pc_word(image, dfa_word);
	if (!dfa)
		return;
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	__u32 length = text->length;
	if (!buf || !(text->flags & PC_TEXT_KNOWN) || length > PC_TASK_TEXT_MAX ||
	    bpf_probe_read_kernel(buf->data, PC_TASK_TEXT_MAX, text->data)) {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			part->possible[i] = ~0u;
		return;
	}
	__u32 state;
	__u32 accepts = pc_dfa_walk(image, dfa, buf->data, 0, length, &state);
	if (text->flags & PC_TEXT_CUT) {
		if (state != PC_DFA_DEAD)
			for (int i = 0; i < PC_SUBJECT_WORDS; i++)
				part->possible[i] = ~0u;
		return;
	}
	pc_subjects_add(image, accepts, part->possible);
	pc_subjects_add(image, accepts, part->certain);
	if (text->flags & PC_TEXT_ALIASED) /* the file's other host paths may meet any other condition */
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			part->possible[i] = ~0u;
}

/*
 * The three parts of a view being computed, off the stack: the verifier does
 * not track what is written to a map value, so whichever way each text went
 * (matched, unknown, cut), the next one starts from one state, not from one
 * per combination of the parts' constants.
 */
struct pc_view_parts {
	struct pc_subjects exe;
	struct pc_subjects args;
	struct pc_subjects cgroup;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_view_parts);
} pc_view_scratch SEC(".maps");

__noinline int pc_task_compute(struct pc_task *task, __u32 slot)
{
	void *image = bpf_map_lookup_elem(&pc_image, &slot);
	__u32 zero = 0;
	struct pc_view_parts *parts = bpf_map_lookup_elem(&pc_view_scratch, &zero);
	if (!image || !task || !parts || !pc_has_subjects(image))
		return 0;
	struct pc_subjects *exe = &parts->exe, *args = &parts->args, *cgroup = &parts->cgroup;
	pc_subjects_any(image, 0, exe->certain);
	pc_subjects_any(image, 1, args->certain);
	pc_set_read(image, pc_word(image, PC_HDR_SUBJECT_NO_CGROUP), cgroup->certain);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		exe->possible[i] = exe->certain[i];
		args->possible[i] = args->certain[i];
		cgroup->possible[i] = cgroup->certain[i];
	}
	__u64 cgroup_id = task->cgroup_id;
	asm volatile("" ::: "memory"); /* the id before the text it names */
	pc_text_subjects(image, PC_HDR_SUBJECT_EXE_DFA, &task->exe, exe);
	pc_text_subjects(image, PC_HDR_SUBJECT_ARGS_DFA, &task->args, args);
	pc_text_subjects(image, PC_HDR_SUBJECT_CGROUP_DFA, &task->cgroup, cgroup);
	__u64 epoch = pc_subject_epoch(image);
	if (!epoch)
		return 0;
	struct pc_task_view *view = &task->views[epoch & 1];
	view->epoch = 0; /* not valid while being written */
	asm volatile("" ::: "memory");
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		view->possible[i] = exe->possible[i] & args->possible[i] & cgroup->possible[i];
		view->certain[i] = exe->certain[i] & args->certain[i] & cgroup->certain[i];
	}
	view->cgroup_id = cgroup_id;
	asm volatile("" ::: "memory"); /* the sets before the epoch that validates them */
	view->epoch = epoch;
	return 0;
}

static __always_inline struct kernfs_node *pc_current_cgroup_node(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct css_set *cset = t->cgroups;
	struct cgroup *cgrp = cset ? cset->dfl_cgrp : 0;
	return cgrp ? cgrp->kn : 0;
}

__noinline int pc_cgroup_read(struct pc_task *task)
{
	if (!task)
		return 0;
	struct kernfs_node *kn = pc_current_cgroup_node();
	__u64 id = kn ? kn->id : 0;
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	task->cgroup.flags = 0; /* unknown until read whole */
	task->cgroup.length = 0;
	if (!kn || !buf)
		goto done;

	/* The names from the cgroup up to (not including) the root, whose parent is NULL. */
	const char *names[PC_CGROUP_DEPTH] = {};
	int depth = -1;
	struct kernfs_node *at = kn;
#pragma unroll
	for (int i = 0; i <= PC_CGROUP_DEPTH; i++) {
		struct kernfs_node *parent = at->parent;
		if (!parent) {
			depth = i;
			break;
		}
		if (i == PC_CGROUP_DEPTH)
			break; /* too deep: unknown */
		names[i] = at->name;
		at = parent;
	}
	if (depth < 0)
		goto done;

	/* "/" and each name, from the top; past PC_TASK_TEXT_MAX bytes the path is cut. */
	__u32 length = 0;
	if (depth == 0) {
		buf->data[0] = '/';
		length = 1;
	}
#pragma unroll
	for (int i = PC_CGROUP_DEPTH - 1; i >= 0; i--) {
		if (i >= depth || length > PC_TASK_TEXT_MAX)
			continue;
		buf->data[length & (PC_TASK_TEXT_MAX * 2 - 1)] = '/';
		length++;
		long n = bpf_probe_read_kernel_str(buf->data + (length & (PC_TASK_TEXT_MAX * 2 - 1)),
						   PC_TASK_TEXT_MAX, names[i]);
		if (n <= 0)
			goto done;
		length += n - 1;
	}
	__u32 flags = PC_TEXT_KNOWN;
	if (length > PC_TASK_TEXT_MAX) {
		length = PC_TASK_TEXT_MAX;
		flags |= PC_TEXT_CUT;
	}
	if (bpf_probe_read_kernel(task->cgroup.data, PC_TASK_TEXT_MAX, buf->data))
		goto done;
	task->cgroup.length = length;
	task->cgroup.flags = flags;
done:
	asm volatile("" ::: "memory"); /* the text before the id that names it */
	task->cgroup_id = id;
	return 0;
}

__noinline int pc_subjects_refresh_views(void)
{
	void *image = pc_image_get();
	if (!image || !pc_word(image, PC_HDR_SUBJECT_CGROUP_DFA))
		return 0;
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!task)
		return 0;
	__u64 epoch = pc_subject_epoch(image);
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct pc_task_view *view = &task->views[epoch & 1];
	if (view->epoch == epoch && view->cgroup_id == cgroup_id)
		return 0;
	if (task->cgroup_id != cgroup_id)
		pc_cgroup_read(task);
	pc_task_compute(task, PC_IMAGE_ACTIVE);
	pc_task_compute(task, PC_IMAGE_PENDING);
	return 0;
}

__noinline int pc_subjects_acting(struct pc_subjects *s, __u64 generation, int initial_userns)
{
	if (!s)
		return 0;
	void *image = pc_image_get();
	struct pc_header h = pc_header_get(image); /* every header word below, in one lookup */
	if (!image || !h.l0 || pc_hdr_generation(&h) != generation) {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
			s->possible[i] = ~0u;
			s->certain[i] = 0;
		}
		return 0;
	}
	pc_subjects_acting_in(image, &h, s, initial_userns);
	return 0;
}

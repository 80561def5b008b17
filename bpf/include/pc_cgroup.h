/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pc_cgroup.h: the current task's cgroup v2 path, read into its record
 * (struct pc_task: `cgroup`, `cgroup_id`) from the kernfs nodes of its cgroup
 * in the default hierarchy, up to the root: `/system.slice/nginx.service`,
 * `/` for the root. The path is global (not relative to a cgroup namespace).
 * A path deeper than PC_CGROUP_DEPTH levels, or one that cannot be read, is
 * unknown; one longer than PC_TASK_TEXT_MAX bytes is cut (both fail closed).
 */
#ifndef PC_CGROUP_H
#define PC_CGROUP_H

#include "pc_subjects.h"

static __always_inline struct kernfs_node *pc_current_cgroup_node(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct css_set *cset = t->cgroups;
	struct cgroup *cgrp = cset ? cset->dfl_cgrp : 0;
	return cgrp ? cgrp->kn : 0;
}

/* Reads the current task's cgroup path into `task`. */
static __noinline void pc_cgroup_read(struct pc_task *task)
{
	if (!task)
		return;
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
}

#endif /* PC_CGROUP_H */

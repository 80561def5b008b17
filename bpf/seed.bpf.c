// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * seed.bpf.c: the seeding iterator. Reading its link visits every task and
 * computes its subjects, from the texts its record keeps, for the pending
 * image (or, when none is pending, the active one), so a task keeps its
 * subjects across a generation swap without exec'ing again.
 *
 * The iterator never reads a cgroup path: a record userspace created has none
 * yet (unknown: every cgroup condition holds, fail closed) and the task reads
 * its own at its first decision (pc_subjects_refresh).
 *
 * A thread without a record takes the texts of its thread-group leader's
 * (userspace creates the leaders' records of processes older than the
 * programs, keyed by pidfd). A task with neither is left alone, and its
 * process id is written to the iterator's output (four bytes, the host's
 * order): userspace creates the records of those processes from /proc and
 * reads the iterator again, so it never scans every process of the host.
 * A task without memory (a kernel thread) is every subject with no conditions.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_task_view.h"
#include "pc_subjects.h"

SEC("iter/task")
int pc_seed(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	if (!t)
		return 0;
	__u32 slot = PC_IMAGE_PENDING;
	void *image = pc_image_pending();
	if (!image) {
		slot = PC_IMAGE_ACTIVE;
		image = pc_image_get();
	}
	if (!image || !pc_has_subjects(image))
		return 0;
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, t, 0, 0);
	if (!task) {
		if (!t->mm)
			return 0;
		struct pc_task *leader = bpf_task_storage_get(&pc_tasks, t->group_leader, 0, 0);
		if (!leader) {
			__u32 tgid = t->tgid;
			bpf_seq_write(ctx->meta->seq, &tgid, sizeof(tgid));
			return 0;
		}
		task = bpf_task_storage_get(&pc_tasks, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!task)
			return 0;
		task->exe = leader->exe;
		task->args = leader->args;
		task->cgroup = leader->cgroup; /* the id tells whether the thread's is another */
		task->cgroup_id = leader->cgroup_id;
	}
	__u64 epoch = pc_subject_epoch(image);
	if (task->views[epoch & 1].epoch != epoch)
		pc_task_compute(task, slot);
	return 0;
}

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_task_view.h: computing a task's view (struct pc_task) from the texts its
 * record keeps, and its cgroup path. Used once an exec completes (task.bpf.c),
 * by the seeding iterator (seed.bpf.c), and by the hooks, which read the
 * current task's view (recomputing it first when the task changed cgroups).
 * Global functions, defined in task_view.bpf.c: verified once per program.
 */
#ifndef PC_TASK_VIEW_H
#define PC_TASK_VIEW_H

#include "pc_image.h"

struct pc_subjects;

/*
 * Computes the view of `task` for the image in `slot` (PC_IMAGE_ACTIVE or
 * PC_IMAGE_PENDING; nothing when the slot is empty), stamped with that
 * image's generation. Returns 0.
 */
int pc_task_compute(struct pc_task *task, __u32 slot);

/*
 * Reads the current task's cgroup v2 path into `task` (`cgroup`, `cgroup_id`),
 * from the kernfs nodes of its cgroup in the default hierarchy up to the root:
 * `/system.slice/nginx.service`, `/` for the root. The path is global (not
 * relative to a cgroup namespace). A path deeper than PC_CGROUP_DEPTH levels,
 * or one that cannot be read, is unknown; one longer than PC_TASK_TEXT_MAX
 * bytes is cut (both fail closed). Returns 0.
 */
int pc_cgroup_read(struct pc_task *task);

/*
 * With cgroup conditions in the active image, a view computed for another
 * cgroup than the task's (it moved without exec'ing, or its path was never
 * read) or for another generation is recomputed: the cgroup path is read
 * again and both views (active and pending image) are computed from the
 * record's texts. Returns 0. Called through pc_subjects_refresh.
 */
int pc_subjects_refresh_views(void);

/*
 * Before a decision on the current task's subjects: pc_subjects_refresh_views,
 * unless pc_summary promises that no image in force has a cgroup condition
 * (one inlined lookup, no image read: the common case). A program that has
 * read the summary already passes it (pc_subjects_refresh_for).
 *
 * A program calls it at its entry and decides in a separate (__noinline)
 * function: the verifier limits a call chain's stack to 512 bytes, and
 * computing a view takes a good part of it.
 */
static __always_inline void pc_subjects_refresh_for(const struct pc_summary *summary)
{
	if (summary && (!(summary->task_records & PC_SUMMARY_RECORDS) ||
			(summary->task_records & PC_SUMMARY_NO_CGROUP_SUBJECTS)))
		return;
	pc_subjects_refresh_views();
}

static __always_inline void pc_subjects_refresh(void)
{
	pc_subjects_refresh_for(pc_summary_get());
}

/*
 * The subjects the current task is when it acts, into `s`: its view for the
 * active image (or, with no valid view, unknown: pc_subjects_current), then
 * its uid, then (`initial_userns` 0: a capability checked against a user
 * namespace of its own) without the subjects limited to the initial user
 * namespace, then exceptions. For the image of `generation`: when the active
 * image is another (a swap in between), `s` is unknown (every subject
 * possible, none certain), since subject numbers differ between generations.
 * Returns 0.
 */
int pc_subjects_acting(struct pc_subjects *s, __u64 generation, int initial_userns);

/*
 * Keeps the host path `path` (`length` bytes, from a per-CPU buffer) in
 * `text`: copies PC_TASK_TEXT_MAX bytes, then sets the flags to `flags` (0, or
 * PC_TEXT_STAGED) with PC_TEXT_KNOWN, PC_TEXT_ALIASED when the file has other
 * host paths (`*aliases` non-zero, NULL: none; with a non-zero length, 0
 * being no host path), PC_TEXT_CUT when the path is longer than
 * PC_TASK_TEXT_MAX, and the length. A failed copy leaves `text` as the caller
 * set it (unknown, length 0). `aliases` is read after the copy, and the flags
 * are updated in the record, not in a register (the barriers): one branch per
 * test, not a pair of flag values the verifier follows each through the rest.
 */
static __always_inline void pc_text_keep_path(struct pc_task_text *text, const char *path, __u32 length,
					      const __u32 *aliases, __u32 flags)
{
	if (bpf_probe_read_kernel(text->data, PC_TASK_TEXT_MAX, path))
		return;
	text->flags = flags | PC_TEXT_KNOWN;
	asm volatile("" ::: "memory");
	if (length && aliases && *aliases)
		text->flags |= PC_TEXT_ALIASED;
	asm volatile("" ::: "memory");
	if (length > PC_TASK_TEXT_MAX) {
		length = PC_TASK_TEXT_MAX;
		text->flags |= PC_TEXT_CUT;
	}
	text->length = length;
}

#endif /* PC_TASK_VIEW_H */

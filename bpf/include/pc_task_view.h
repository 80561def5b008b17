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
 * Before a decision on the current task's subjects: with cgroup conditions in
 * the active image, a view computed for another cgroup than the task's (it
 * moved without exec'ing, or its path was never read) or for another
 * generation is recomputed: the cgroup path is read again and both views
 * (active and pending image) are computed from the record's texts.
 *
 * A program calls it at its entry and decides in a separate (__noinline)
 * function: the verifier limits a call chain's stack to 512 bytes, and
 * computing a view takes a good part of it. Returns 0.
 */
int pc_subjects_refresh(void);

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

#endif /* PC_TASK_VIEW_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_exec_check.h: may this file be executed? Shared by the exec hook and the
 * executable-mapping hook, so `ld.so /usr/bin/kubectl` meets the same rules
 * as `kubectl`.
 */
#ifndef PC_EXEC_CHECK_H
#define PC_EXEC_CHECK_H

#include "pc_kernel.h"
#include "pc_dfa.h"
#include "pc_exec_paths.h"
#include "pc_rules.h"
#include "pc_events.h"
#include "pc_inodes.h"
#include "pc_host_walk.h"
#include "pc_content.h"
#include "pc_exec_aliases.h"

/*
 * The argument mode for an executable mapping by the current task: part of an
 * exec in progress (its new mm, after the exec hook staged the path) leaves
 * argument conditions to sched_process_exec; any other mapping (the loader
 * trick, a custom loader) cannot know the program's arguments: they count as met.
 */
static __always_inline __u32 pc_mapping_args_mode(void)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, me, 0, 0);
	if (task && (task->exec_exe.flags & PC_TEXT_STAGED) && task->exec_mm == (__u64)me->mm)
		return PC_ARGS_SKIP;
	return PC_ARGS_MET;
}

/*
 * Whether `file` has no name: no name links to it (memfd_create, O_TMPFILE, a
 * deleted file: i_nlink 0), or the name it was opened by has been removed.
 * Exec rules see such a program's path as empty, like one on a filesystem the
 * host has not mounted: path patterns never match it, `exec: { anonymous:
 * true }` does.
 */
static __always_inline int pc_file_is_anonymous(struct file *file)
{
	struct inode *inode = file->f_inode;
	struct dentry *dentry = file->f_path.dentry;
	if (!inode || !dentry || !inode->i_nlink)
		return 1;
	return !dentry->d_hash.pprev && dentry->d_parent != dentry;
}

/*
 * Whether a path rule may match `file`, judged by its name (its dentry's) with
 * the exec image's last-component DFA at `names` (0: none, may match): 0 only
 * when no path the exec DFA accepts ends in that name. The host path ends in
 * the dentry's name unless the file is the root of a mount (a bind-mounted
 * file: its host path ends in the mount point's name), which may match. The
 * name is read into `buf`.
 */
static __always_inline int pc_name_may_match(void *image, __u32 names, struct file *file, struct pc_path_buf *buf)
{
	struct dentry *dentry = file->f_path.dentry;
	struct vfsmount *mnt = file->f_path.mnt;
	if (!names || !dentry || !mnt || dentry == mnt->mnt_root)
		return 1;
	/* Loads through the hook's typed pointers, not helper calls: this runs at every executable mapping. */
	struct super_block *sb = dentry->d_sb;
	struct inode *inode = dentry->d_inode;
	if (!sb || !inode)
		return 1;
	struct pc_mount_root key = { .dev = sb->s_dev, .ino = inode->i_ino };
	if (bpf_map_lookup_elem(&pc_host_mounts, &key))
		return 1;
	__u32 length = dentry->d_name.len;
	const unsigned char *name = dentry->d_name.name;
	if (!length || length > 255 || bpf_probe_read_kernel(buf->data, length & 255, name))
		return 1;
	return pc_dfa_accepts(image, names, buf->data, 0, length) != 0;
}

/* The accept lists of one exec check: one per path DFA, the identity's, the content's. */
#define PC_EXEC_LIST_INODE PC_EXEC_DFA_MAX
#define PC_EXEC_LIST_CONTENT (PC_EXEC_DFA_MAX + 1)
#define PC_EXEC_FILE_LISTS (PC_EXEC_DFA_MAX + 1) /* the path's and the identity's */
#define PC_EXEC_CHECK_LISTS (PC_EXEC_DFA_MAX + 2)

_Static_assert(PC_EXEC_CHECK_LISTS <= PC_EXEC_LISTS_MAX, "an exec check's own lists fit one decision");
_Static_assert(PC_ALIAS_LISTS <= PC_RULES_GIVEN_MAX - PC_EXEC_LISTS_MAX, "the other host paths' lists fit one decision");

/*
 * Reads the host path of `file` into `path` (pc_host_path.h; the result in
 * *read: positive when read; the length matched, without the NUL, in
 * *length: 0 for a file with no path on the host, whose bpf_d_path, relative
 * to the caller, is put in `path` for the event) and decides it against the
 * exec rules whose conditions hold under `mode` (enum pc_args_mode): the path
 * DFAs (pc_exec_paths.h; `dfa`, the first, 0: none) over each of the file's
 * host paths (a rule that one of them meets applies; see "Host paths" in
 * portcullis_abi.h), the files they name by identity, and the content table
 * (by the digest in pc_digest_scratch, pc_content.h); the stronger action
 * wins. Reports deny decisions, and audit ones when `report_audit`. The
 * accept lists consulted (0: none) are left in lists[0, PC_EXEC_CHECK_LISTS):
 * the path DFAs', then the identity's (PC_EXEC_LIST_INODE), then the
 * content's (PC_EXEC_LIST_CONTENT); the first PC_EXEC_FILE_LISTS for argument
 * rules, with those of the other host paths in pc_alias_scratch (content
 * rules have no argument condition). Unless `need_path`, a file
 * whose name no path rule can end in, and whose identity and content no rule
 * names, is allowed before its path is read (*read 0).
 */
static __always_inline int pc_exec_check(void *image, __u32 dfa, struct file *file, __u32 hook, int report_audit,
					 __u32 mode, int need_path, struct pc_path_buf *path, long *read, __u32 *length,
					 __u32 *lists)
{
	for (int i = 0; i < PC_EXEC_CHECK_LISTS; i++)
		lists[i] = 0;
	/*
	 * The content table first: it needs no path. What it found stays in
	 * pc_digest_scratch, read where needed, never kept in a register across
	 * the rest (the verifier would follow everything after twice).
	 */
	if (pc_word(image, PC_HDR_EXEC_DIGESTS))
		pc_content_find(pc_generation(image));
	if (!need_path && !pc_content_rules(image) &&
	    (!dfa || (!pc_name_may_match(image, pc_word(image, PC_HDR_EXEC_NAME_DFA), file, path) &&
		      !pc_inode_accepts(image, file)))) {
		*read = 0;
		*length = 0;
		return 0; /* no rule names this file: by path (its name ends none), identity or content */
	}
	__u32 zero = 0;
	struct pc_alias_lists *others = bpf_map_lookup_elem(&pc_alias_scratch, &zero);
	if (!others)
		return -EPERM; /* cannot happen; fail closed all the same */
	others->count = 0; /* the other host paths' lists: none, unless pc_exec_alias_lists fills them */
	long n = pc_host_path(file->f_path.dentry, 0);
	int anonymous = n == PC_HOST_NONE || (n > 0 && pc_file_is_anonymous(file));
	/* The file is at other host paths too (rare: a bind mount on the host): rules naming any of them apply. */
	if (dfa && n > 0 && !anonymous && PC_HOST_ALIASES(n) && pc_exec_alias_lists(pc_generation(image)))
		n = PC_HOST_UNREADABLE;
	if (n == PC_HOST_NONE) {
		long named = bpf_d_path(&file->f_path, path->data, sizeof(path->data));
		if (named <= 0)
			path->data[0] = 0;
		n = 1;
	}
	*read = n;
	if (n <= 0) {
		*length = 0;
		if (!(dfa | pc_word(image, PC_HDR_EXEC_DIGESTS)))
			return 0;
		/* The path cannot be read whole: fail closed. The entry names the file as the caller sees it. */
		struct pc_event *e = pc_event_start(image, hook, PC_ACTION_DENY, PC_RULE_NONE);
		if (e) {
			e->flags = PC_EVENT_PATH_UNREADABLE;
			pc_event_path_written(e, bpf_d_path(&file->f_path, e->path, sizeof(e->path)));
			pc_event_send(e);
		}
		return -EPERM;
	}
	*length = anonymous ? 0 : PC_HOST_LENGTH(n);
	__u32 rule, naming = 0;
	if (dfa)
		pc_exec_paths_accepts(image, path->data, *length, lists);
	lists[PC_EXEC_LIST_INODE] = pc_inode_accepts(image, file);
	lists[PC_EXEC_LIST_CONTENT] = pc_content_rules(image); /* 0 without a content table: pc_content_digest reset it */
	for (int i = 0; i < PC_EXEC_CHECK_LISTS; i++)
		naming |= lists[i];
	if (others->count)
		for (int k = 0; k < PC_ALIAS_LISTS; k++)
			naming |= others->lists[k];
	if (!naming)
		return 0; /* no rule names this file: the common case, nothing more to read */
	struct pc_exec_when *when = pc_exec_when_get(image, mode == PC_ARGS_MAPPING ? pc_mapping_args_mode() : mode);
	if (!when)
		return -EPERM; /* cannot happen; fail closed all the same */
	pc_content_meets(image, &when->content);
	__u32 doubt;
	if (!others->count) /* none filled: zeroed here, where some rule names the file, not at every read */
		for (int k = 0; k < PC_ALIAS_LISTS; k++)
			others->lists[k] = 0;
	__u32 action = pc_exec_rules(image, lists, PC_EXEC_CHECK_LISTS, others->lists, PC_ALIAS_LISTS, when, &rule, &doubt);
	if (action == PC_ACTION_DENY || (action == PC_ACTION_AUDIT && report_audit)) {
		struct pc_event *e = pc_event_start(image, hook, action, rule);
		if (e) {
			e->flags = doubt ? PC_EVENT_CONDITION_UNKNOWN : 0;
			struct pc_digest *digest = pc_digest_get();
			if (digest && digest->known) {
				e->flags |= PC_EVENT_DIGEST_KNOWN;
				__builtin_memcpy(e->digest, digest->bytes, PC_DIGEST_BYTES);
			}
			pc_event_path_written(e, bpf_probe_read_kernel_str(e->path, sizeof(e->path), path->data));
			pc_event_send(e);
		}
	}
	return action == PC_ACTION_DENY ? -EPERM : 0;
}

#endif /* PC_EXEC_CHECK_H */

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * guard.bpf.c: tamper protection ("Tamper protection" in portcullis_abi.h).
 * Only the guardian, the daemon's process, gets a descriptor that can change
 * our maps; nobody may ptrace it or take its descriptors. Once locked, its
 * pins, their bpffs and the daemon itself are out of reach until reboot.
 * Every refusal is reported as a decision event.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pc_image.h"
#include "pc_events.h"
#include "pc_host_path.h" /* pc_host_mounts */
#include "pc_content.h" /* pc_digest_cache */
#include "pc_guard.h"

#define FMODE_WRITE 0x2
#define PTRACE_MODE_ATTACH 0x02
#define SIGHUP 1
#define SIGTERM 15
#define SIGCONT 18

/* A name for an event, copied by the caller (a global function takes memory, not kernel pointers). */
struct pc_guard_name {
	char text[64];
};

static __always_inline struct pc_guard *pc_guard_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&pc_guard, &zero);
}

/* Whether `task` is a thread of the guardian's process. */
static __always_inline int pc_is_guardian(struct pc_guard *g, struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	return tgid && g->tgid == tgid && g->start_time == BPF_CORE_READ(task, group_leader, start_time);
}

/* Reports an attempt on portcullis (enum pc_hook, PC_HOOK_GUARD_*) by the current task. */
__noinline int pc_guard_report(__u32 hook, __u32 decision, __u32 target, __u32 detail, struct pc_guard_name *name)
{
	if (!name || !pc_rate_allows(PC_RULE_NONE))
		return 0;
	struct pc_event *e = pc_event_space();
	if (!e)
		return 0;
	void *image = pc_image_get();
	pc_event_init(e, image ? pc_generation(image) : 0, hook, decision, PC_RULE_NONE);
	e->target = target;
	e->detail = detail;
	pc_event_path_written(e, bpf_probe_read_kernel_str(e->path, sizeof(name->text), name->text));
	pc_event_send(e);
	return 0;
}

/*
 * Whether the current task may have a descriptor `fmode` for one of our maps:
 * the guardian's may. While the post is vacant (and not locked) anyone may,
 * and whoever asks for a writable one claims the post. Returns 0 or -EPERM.
 */
__noinline int pc_guard_admit(__u32 fmode, struct pc_guard_name *name)
{
	struct pc_guard *g = pc_guard_get();
	struct task_struct *task = bpf_get_current_task_btf();
	if (!g || !name)
		return -EPERM;
	if (pc_is_guardian(g, task))
		return 0;
	if (!(g->flags & PC_GUARD_LOCKED) && !g->tgid && !(fmode & FMODE_WRITE))
		return 0;
	__u32 tgid = BPF_CORE_READ(task, tgid);
	if (!(g->flags & PC_GUARD_LOCKED) && __sync_val_compare_and_swap(&g->tgid, 0, tgid) == 0) {
		g->start_time = BPF_CORE_READ(task, group_leader, start_time);
		__sync_fetch_and_add(&g->claims, 1);
		pc_guard_report(PC_HOOK_GUARD_CLAIM, PC_ACTION_AUDIT, tgid, fmode, name);
		return 0;
	}
	pc_guard_report(PC_HOOK_GUARD_MAP, PC_ACTION_DENY, g->tgid, fmode, name);
	return -EPERM;
}

/* Whether `map` holds a generation's image: those maps are named so (ImageMap.swift). */
static __always_inline int pc_is_image_map(struct pc_guard_name *name)
{
	__u64 head = 0, tail = 0;
	__builtin_memcpy(&head, name->text, 8);
	__builtin_memcpy(&tail, name->text + 8, 8);
	return head == 0x6567616d695f6370ull /* "pc_image" */ && tail == 0x6e65675fu /* "_gen" */;
}

SEC("lsm/bpf_map")
int BPF_PROG(pc_guard_map, struct bpf_map *map, unsigned int fmode, int ret)
{
	if (ret)
		return pc_verdict(ret);
	/*
	 * A map our programs write can be written by any program loaded with a
	 * descriptor for it, even a read-only one: those that decide (task records,
	 * the mount table, the guard, the digests kept for files) or report
	 * (events, rate limits) are sealed.
	 * The counters and the build hash can be read (status).
	 */
	int sealed = map == (void *)&pc_tasks || map == (void *)&pc_host_mounts || map == (void *)&pc_host_filter ||
		     map == (void *)&pc_guard ||
		     map == (void *)&pc_events || map == (void *)&pc_rates || map == (void *)&pc_digest_cache;
	int ours = sealed || map == (void *)&pc_image || map == (void *)&pc_stats || map == (void *)&pc_hits ||
		   map == (void *)&pc_meta || map == (void *)&pc_summary;
	struct pc_guard_name name = {};
	BPF_CORE_READ_STR_INTO(&name.text, map, name);
	if (!ours && !pc_is_image_map(&name))
		return 0;
	if (!sealed && !(fmode & FMODE_WRITE))
		return 0;
	return pc_verdict(pc_guard_admit(fmode, &name));
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(pc_guard_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	if (ret)
		return pc_verdict(ret);
	struct pc_guard *g = pc_guard_get();
	if (!(mode & PTRACE_MODE_ATTACH) || !g || !pc_is_guardian(g, child) ||
	    pc_is_guardian(g, bpf_get_current_task_btf()))
		return 0;
	struct pc_guard_name name = {};
	pc_guard_report(PC_HOOK_GUARD_PTRACE, PC_ACTION_DENY, g->tgid, mode, &name);
	return -EPERM;
}

SEC("lsm/task_kill")
int BPF_PROG(pc_guard_signal, struct task_struct *p, void *info, int sig, const struct cred *cred, int ret)
{
	if (ret)
		return pc_verdict(ret);
	struct pc_guard *g = pc_guard_get();
	/* 0 probes for the process; SIGHUP asks it to read the directory again (systemctl reload). */
	if (!sig || sig == SIGHUP || !g || !(g->flags & PC_GUARD_LOCKED) || !pc_is_guardian(g, p))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	/*
	 * PID 1 stops it at shutdown: SIGTERM, which the daemon heeds only then (and
	 * the SIGCONT systemd sends after it, harmless); anything once it is on its way out.
	 */
	if (BPF_CORE_READ(task, tgid) == 1 && (sig == SIGTERM || sig == SIGCONT || (g->flags & PC_GUARD_STOPPING)))
		return 0;
	if (pc_is_guardian(g, task))
		return 0;
	struct pc_guard_name name = {};
	pc_guard_report(PC_HOOK_GUARD_SIGNAL, PC_ACTION_DENY, g->tgid, sig, &name);
	return -EPERM;
}

/* Whether `inode` is one of the pin directories (or, with `itself`, a pin directory's entry is). */
static __always_inline int pc_is_pin_dir(struct pc_guard *g, struct inode *inode)
{
	if (!inode || BPF_CORE_READ(inode, i_sb, s_dev) != g->pin_dev)
		return 0;
	__u64 ino = BPF_CORE_READ(inode, i_ino);
	for (int i = 0; i < PC_GUARD_PIN_DIRS; i++)
		if (g->pin_dirs[i] && g->pin_dirs[i] == ino)
			return 1;
	return 0;
}

/* Locked: refuses `op` on `dentry` in `dir` (or `other_dir`) when it touches the pins. */
static __always_inline int pc_guard_pins(struct inode *dir, struct inode *other_dir, struct dentry *dentry, __u32 op)
{
	struct pc_guard *g = pc_guard_get();
	if (!g || !(g->flags & PC_GUARD_LOCKED))
		return 0;
	if (!pc_is_pin_dir(g, dir) && !pc_is_pin_dir(g, other_dir) && !pc_is_pin_dir(g, BPF_CORE_READ(dentry, d_inode)))
		return 0;
	struct pc_guard_name name = {};
	bpf_probe_read_kernel_str(name.text, sizeof(name.text), BPF_CORE_READ(dentry, d_name.name));
	pc_guard_report(PC_HOOK_GUARD_PIN, PC_ACTION_DENY, 0, op, &name);
	return -EPERM;
}

SEC("lsm/inode_unlink")
int BPF_PROG(pc_guard_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return pc_verdict(ret);
	return pc_verdict(pc_guard_pins(dir, 0, dentry, PC_GUARD_UNLINK));
}

SEC("lsm/inode_rmdir")
int BPF_PROG(pc_guard_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return pc_verdict(ret);
	return pc_verdict(pc_guard_pins(dir, 0, dentry, PC_GUARD_RMDIR));
}

SEC("lsm/inode_rename")
int BPF_PROG(pc_guard_rename, struct inode *old_dir, struct dentry *old_dentry, struct inode *new_dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return pc_verdict(ret);
	return pc_verdict(pc_guard_pins(old_dir, new_dir, old_dentry, PC_GUARD_RENAME));
}

SEC("lsm/sb_umount")
int BPF_PROG(pc_guard_umount, struct vfsmount *mnt, int flags, int ret)
{
	if (ret)
		return pc_verdict(ret);
	struct pc_guard *g = pc_guard_get();
	if (!g || !(g->flags & PC_GUARD_LOCKED))
		return 0;
	/* container_of(mnt, struct mount, mnt)->mnt_id, as numbers: read, not dereferenced */
	__u64 vfs = 0;
	int id = 0;
	bpf_probe_read_kernel(&vfs, sizeof(vfs), &ctx[0]);
	bpf_probe_read_kernel(&id, sizeof(id),
			      (void *)(vfs - bpf_core_field_offset(struct mount, mnt) + bpf_core_field_offset(struct mount, mnt_id)));
	int hit = BPF_CORE_READ(mnt, mnt_sb, s_dev) == g->pin_dev;
	for (int i = 0; i < PC_GUARD_MOUNTS; i++)
		if (i < g->mount_count && g->mounts[i] == (__u64)id)
			hit = 1;
	if (!hit)
		return 0;
	struct pc_guard_name name = {};
	pc_guard_report(PC_HOOK_GUARD_UMOUNT, PC_ACTION_DENY, 0, id, &name);
	return -EPERM;
}

/* The guardian's process is gone (its group leader is freed last): the post is vacant, unless locked. */
SEC("lsm/task_free")
int BPF_PROG(pc_guard_exit, struct task_struct *task)
{
	struct pc_guard *g = pc_guard_get();
	if (!g || !g->tgid || (g->flags & PC_GUARD_LOCKED) || BPF_CORE_READ(task, pid) != g->tgid ||
	    BPF_CORE_READ(task, start_time) != g->start_time)
		return 0;
	g->tgid = 0;
	return 0;
}

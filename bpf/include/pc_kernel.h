/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_kernel.h: the few kernel types the programs touch, written by hand.
 * preserve_access_index makes every field access a CO-RE relocation, so
 * libbpf fixes the offsets against the running kernel's BTF at load time.
 * List only the fields we read.
 */
#ifndef PC_KERNEL_H
#define PC_KERNEL_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define PC_CORE __attribute__((preserve_access_index))

struct hlist_bl_node {
	struct hlist_bl_node *next, **pprev;
} PC_CORE;

/* A name: `hash` and `len` share a union in the kernel's struct; CO-RE finds them by name. */
struct qstr {
	__u32 hash;
	__u32 len;
	const unsigned char *name;
} PC_CORE;

struct super_block;
struct inode;

struct dentry {
	struct hlist_bl_node d_hash; /* unhashed (pprev NULL): removed from its directory */
	struct dentry *d_parent;     /* itself for a root, or a pseudo file's dentry */
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
} PC_CORE;

struct path {
	void *mnt;
	struct dentry *dentry;
} PC_CORE;

struct file_system_type {
	const char *name;
} PC_CORE;

struct super_block {
	__u32 s_dev;
	unsigned long s_magic;
	struct file_system_type *s_type;
} PC_CORE;

/* A mount as a path holds it (struct vfsmount), and the struct mount around it. */
struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
} PC_CORE;

struct mount {
	struct vfsmount mnt;
	const char *mnt_devname; /* the source a filesystem was mounted from ("none", "/dev/sdb1") */
	int mnt_id;              /* as /proc/PID/mountinfo numbers it */
} PC_CORE;

typedef struct {
	int counter;
} atomic_t;

struct inode {
	unsigned long i_ino;
	unsigned int i_nlink; /* in an anonymous union in the kernel's struct */
	struct super_block *i_sb;
	atomic_t i_writecount; /* > 0: open for writing; < 0: denied to writers (being executed) */
} PC_CORE;

/*
 * btrfs numbers the inodes of each subvolume afresh under one superblock
 * (every subvolume's root directory is inode 256): a file is told apart by its
 * subvolume's own device (its btrfs_root's anon_dev, what stat(2) shows). The
 * types are the btrfs module's: CO-RE finds them in its BTF when the module is
 * loaded as the programs are; otherwise code using them is pruned at load
 * (bpf_core_type_exists) and the superblock's device is used, as on other
 * filesystems.
 */
struct btrfs_root___pc {
	__u32 anon_dev; /* dev_t */
} PC_CORE;
struct btrfs_inode___pc {
	struct btrfs_root___pc *root;
	struct inode vfs_inode;
} PC_CORE;
#define PC_BTRFS_SUPER_MAGIC 0x9123683EUL

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_mode; /* fmode_t: FMODE_* */
} PC_CORE;

#define FMODE_WRITE 0x2

struct vm_area_struct {
	struct file *vm_file;
} PC_CORE;

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} PC_CORE;

struct linux_binprm {
	struct file *file;
	struct mm_struct *mm;
	const char *filename; /* the name given to exec */
	const char *interp;   /* the name of what runs: filename, unless an interpreter replaced it */
} PC_CORE;

/* A cgroup's directory in the cgroup filesystem: its name, its parent's, its id. */
struct kernfs_node {
	struct kernfs_node *parent;
	const char *name;
	__u64 id;
} PC_CORE;

struct cgroup {
	struct kernfs_node *kn;
} PC_CORE;

struct css_set {
	struct cgroup *dfl_cgrp; /* the task's cgroup in the default (v2) hierarchy */
} PC_CORE;

struct task_struct {
	unsigned int flags; /* PF_* */
	int pid;
	int tgid;
	__u64 start_time; /* CLOCK_MONOTONIC at fork, in ns */
	struct mm_struct *mm;
	struct task_struct *group_leader;
	struct css_set *cgroups;
	void *bpf_storage; /* struct bpf_local_storage *: NULL while no BPF program keeps storage for the task */
} PC_CORE;

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
} PC_CORE;
struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} PC_CORE;

struct bpf_map {
	char name[16];
} PC_CORE;

struct cred;
struct user_namespace {
	int level; /* 0: the initial user namespace */
} PC_CORE;

#define EPERM 1
#define MAX_ERRNO 4095

/*
 * The verdict an LSM program returns: 0 or -errno. 6.12's verifier checks that
 * it lies within [-MAX_ERRNO, 0], and clang may compute a verdict branch-free
 * (-(x != 0)) in a way the verifier cannot bound; the barrier forces a range
 * check it can follow. An earlier program's verdict passes through unchanged.
 */
static __always_inline int pc_verdict(int verdict)
{
	barrier_var(verdict);
	if (verdict > 0 || verdict < -MAX_ERRNO)
		return -EPERM;
	return verdict;
}

#endif /* PC_KERNEL_H */

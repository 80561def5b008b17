/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bench_kernel.h: the kernel's structs as the benchmark's own programs
 * (floor.bpf.c, warm-tp.bpf.c) read them, only the fields they read (CO-RE:
 * libbpf fixes the offsets against the kernel's BTF).
 */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

struct path {
	void *mnt;
	void *dentry;
} __attribute__((preserve_access_index));
struct inode {
	unsigned long i_ino;
} __attribute__((preserve_access_index));
struct file {
	struct path f_path;
	struct inode *f_inode;
} __attribute__((preserve_access_index));
struct linux_binprm {
	struct file *file;
} __attribute__((preserve_access_index));
struct vm_area_struct {
	struct file *vm_file;
} __attribute__((preserve_access_index));
struct cred;
struct user_namespace;
struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} __attribute__((preserve_access_index));
struct task_struct {
	struct mm_struct *mm;
	int pid;
	void *bpf_storage;
} __attribute__((preserve_access_index));

#endif /* BENCH_KERNEL_H */

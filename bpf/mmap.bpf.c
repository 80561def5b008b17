// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mmap.bpf.c: executable mappings. `ld.so /usr/bin/kubectl` executes ld.so,
 * which then maps kubectl with PROT_EXEC; this hook applies the exec rules to
 * the mapped file, so the loader trick meets the same denial. Only denials
 * act here: an audit rule on exec is about executing, not mapping. A rule
 * with an argument condition counts as met outside an exec: the mapped
 * program's arguments are not known (pc_mapping_args_mode).
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_exec_check.h"
#include "pc_task_view.h"

#define PROT_EXEC 0x4

static __noinline int pc_mmap_decide(struct file *file, unsigned long prot)
{
	if (!file || !(prot & PROT_EXEC))
		return 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 dfa = pc_word(image, PC_HDR_EXEC_DFA);
	if (!dfa && !pc_word(image, PC_HDR_EXEC_DIGESTS))
		return 0;
	pc_refresh_for_callers(image);
	__u32 zero = 0, length, lists[PC_EXEC_CHECK_LISTS];
	long read;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	if (!path)
		return -EPERM;
	return pc_exec_check(image, dfa, file, PC_HOOK_MMAP_EXEC, 0, PC_ARGS_MAPPING, 0, path, &read, &length,
			     lists);
}

/* Sleepable, to hash the mapped file (pc_content.h). */
SEC("lsm.s/mmap_file")
int BPF_PROG(pc_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (!file || !(prot & PROT_EXEC))
		return 0;
	pc_content_digest(file);
	return pc_verdict(pc_mmap_decide(file, prot));
}

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mprotect.bpf.c: making a file mapping executable after the fact
 * (mmap PROT_READ, then mprotect PROT_EXEC). bpf_d_path is not allowed in
 * this hook, so only the exec rules that name files by identity apply here,
 * and those naming content, by the digest the kernel keeps for the file; it
 * cannot hash here (not sleepable): without one, content is unknown (fail closed).
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_rules.h"
#include "pc_events.h"
#include "pc_inodes.h"
#include "pc_exec_check.h"
#include "pc_content.h"
#include "pc_task_view.h"

#define PROT_EXEC 0x4

static __noinline int pc_mprotect_decide(struct vm_area_struct *vma, unsigned long prot)
{
	if (!(prot & PROT_EXEC))
		return 0;
	struct file *file = vma->vm_file; /* a BTF pointer, for the digest kept in its inode's storage */
	if (!file)
		return 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 lists[2] = { pc_inode_accepts(image, file), 0 };
	__u32 digests = pc_word(image, PC_HDR_EXEC_DIGESTS);
	if (!lists[0] && !digests)
		return 0; /* no rule names this file: nothing more to read */
	pc_refresh_for_callers(image);
	struct pc_exec_when *when = pc_exec_when_get(image, pc_mapping_args_mode());
	if (!when)
		return -EPERM; /* cannot happen; fail closed all the same */
	if (digests) {
		pc_content_find(pc_generation(image));
		lists[1] = pc_content_rules(image);
		pc_content_meets(image, &when->content);
	}
	if (!lists[0] && !lists[1])
		return 0;
	__u32 rule, doubt;
	if (pc_exec_rules(image, lists, 2, 0, 0, when, &rule, &doubt) != PC_ACTION_DENY)
		return 0;
	struct pc_event *e = pc_event_start(image, PC_HOOK_MPROTECT_EXEC, PC_ACTION_DENY, rule);
	if (e) {
		e->flags = doubt ? PC_EVENT_CONDITION_UNKNOWN : 0;
		pc_event_send(e);
	}
	return -EPERM;
}

SEC("lsm/file_mprotect")
int BPF_PROG(pc_mprotect_exec, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (!(prot & PROT_EXEC))
		return 0;
	/* Here, not in pc_mprotect_decide: each has a frame of its own within the 512-byte budget. */
	pc_content_kept(vma->vm_file);
	return pc_verdict(pc_mprotect_decide(vma, prot));
}

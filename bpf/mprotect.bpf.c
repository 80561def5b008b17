// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mprotect.bpf.c: making a file mapping executable after the fact
 * (mmap PROT_READ, then mprotect PROT_EXEC). bpf_d_path is not allowed in
 * this hook, so only the exec rules that name files by identity apply here.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_rules.h"
#include "pc_events.h"
#include "pc_inodes.h"
#include "pc_exec_check.h"
#include "pc_task_view.h"

#define PROT_EXEC 0x4

static __noinline int pc_mprotect_decide(struct vm_area_struct *vma, unsigned long prot)
{
	if (!(prot & PROT_EXEC))
		return 0;
	struct file *file = BPF_CORE_READ(vma, vm_file);
	if (!file)
		return 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 lists[1] = { pc_inode_accepts(image, file) };
	if (!lists[0])
		return 0; /* no rule names this file: nothing more to read */
	pc_refresh_for_callers(image);
	struct pc_exec_when *when = pc_exec_when_get(image, pc_mapping_args_mode());
	__u32 rule, doubt;
	if (pc_exec_rules(image, lists, 1, when, &rule, &doubt) != PC_ACTION_DENY)
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
	return pc_verdict(pc_mprotect_decide(vma, prot));
}

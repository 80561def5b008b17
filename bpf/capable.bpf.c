// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * capable.bpf.c: the capability hook. O(1): one line of the capability table
 * and the task's subject set, ANDed word by word.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_subjects.h"

static __always_inline int pc_capable_decide(int cap, unsigned int opts)
{
	if (cap < 0 || cap >= PC_CAP_COUNT)
		return 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 caps = pc_word(image, PC_HDR_CAPS);
	if (!caps)
		return 0;
	struct pc_image_line *entry = pc_line(image, caps / PC_LINE_WORDS + cap);
	if (!entry)
		return 0;

	pc_subject_set subjects;
	pc_subjects_current(image, subjects);
	__u32 deny = 0;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		deny |= entry->w[PC_CAP_DENY + i] & subjects[i];
	if (deny)
		return -EPERM;
	return 0;
}

SEC("lsm/capable")
int BPF_PROG(pc_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts,
	     int ret)
{
	if (ret)
		return pc_verdict(ret);
	return pc_verdict(pc_capable_decide(cap, opts));
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec.bpf.c: the exec hook. The path matched is the canonical path of the
 * file being executed (d_path of bprm->file, relative to the caller's root),
 * so symlinks and relative names cannot dodge a rule.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_dfa.h"
#include "pc_rules.h"

SEC("lsm/bprm_check_security")
int BPF_PROG(pc_exec, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return ret;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 dfa = pc_word(image, PC_HDR_EXEC_DFA);
	if (!dfa)
		return 0;

	__u32 zero = 0;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	if (!path)
		return -EPERM; /* cannot happen; fail closed all the same */
	long n = bpf_d_path(&bprm->file->f_path, path->data, sizeof(path->data));
	if (n <= 0)
		return -EPERM; /* the path cannot be read whole: fail closed */

	__u32 list = pc_dfa_accepts(image, dfa, path->data, (__u32)n - 1);
	if (pc_rules_action(image, list) == PC_ACTION_DENY)
		return -EPERM;
	return 0;
}

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_acting.h: the subjects the current task is when it acts, for an image
 * whose header the caller has read (struct pc_header): its view, then its
 * uid, then (a capability checked against a user namespace of its own)
 * without the subjects limited to the initial user namespace, then
 * exceptions. The global function pc_subjects_acting (task_view.bpf.c) is
 * this for the hooks that read the header themselves; pc_capable inlines it
 * with the header it read for the capability table, one read for both.
 */
#ifndef PC_ACTING_H
#define PC_ACTING_H

#include "pc_subjects.h"
#include "pc_uids.h"
#include "pc_excepts.h"

static __always_inline void pc_subjects_acting_in(void *image, const struct pc_header *h, struct pc_subjects *s,
						  int initial_userns)
{
	if (!h->l0) {
		/* Cannot happen (the header is in every image); unknown all the same. */
		for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
			s->possible[i] = ~0u;
			s->certain[i] = 0;
		}
		return;
	}
	pc_subjects_current(image, pc_hdr_subject_epoch(h), s);
	pc_subjects_for_uid(image, h, s);
	__u32 initial_only = pc_hdr(h, PC_HDR_SUBJECT_INITIAL_USERNS);
	if (!initial_userns && initial_only) {
		pc_subject_set limited;
		pc_set_read(image, initial_only, limited);
		for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
			s->possible[i] &= ~limited[i];
			s->certain[i] &= ~limited[i];
		}
	}
	pc_subjects_except(image, h, s);
}

#endif /* PC_ACTING_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_uids.h: uid conditions on subjects, decided when the operation happens
 * from the acting task's real uid: two lookups, whatever the policy holds.
 */
#ifndef PC_UIDS_H
#define PC_UIDS_H

#include "pc_subjects.h"

/* Removes the subjects whose uid condition the current task does not meet (the uid is always known). */
static __always_inline void pc_subjects_for_uid(void *image, const struct pc_header *h, struct pc_subjects *s)
{
	__u32 section = pc_hdr(h, PC_HDR_SUBJECT_UIDS);
	if (!section)
		return;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	__u32 bucket = pc_uid_hash(uid) & pc_hdr(h, PC_HDR_SUBJECT_UID_MASK);
	pc_subject_set allowed;
	pc_set_read(image, section, allowed); /* the subjects with no uid condition */
	struct pc_image_line *line = pc_line(image, section / PC_LINE_WORDS + 1 + bucket);
	__u32 named = 0;
	if (line) {
		for (int i = 0; i < PC_UID_BUCKET_SLOTS; i++) {
			if (line->w[2 * i] == uid + 1)
				named = line->w[2 * i + 1];
		}
	}
	if (named)
		pc_subjects_add(image, named, allowed);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		s->possible[i] &= allowed[i];
		s->certain[i] &= allowed[i];
	}
}

#endif /* PC_UIDS_H */

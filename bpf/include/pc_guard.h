/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* pc_guard.h: who may change our maps, and what is locked (struct pc_guard; defined in maps.bpf.c). */
#ifndef PC_GUARD_H
#define PC_GUARD_H

#include "pc_image.h"

/* Written by the daemon (locking) and by guard.bpf.c (claims, vacancy). */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_guard);
} pc_guard SEC(".maps");

#endif /* PC_GUARD_H */

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* maps.bpf.c: the maps every program shares, defined once (see pc_image.h). */
#define PC_DEFINE_MAPS
#include "pc_kernel.h"
#include "pc_image.h"
#include "pc_rules.h"   /* pc_when_scratch, pc_walk_scratch */
#include "pc_excepts.h" /* pc_except_scratch */
#include "pc_host_path.h" /* pc_host_mounts */
#include "pc_guard.h" /* pc_guard */

char LICENSE[] SEC("license") = "GPL";

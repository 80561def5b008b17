// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.bpf.c: the maps every program shares, defined once (see pc_image.h). */
#define PC_DEFINE_MAPS
#include "pc_kernel.h"
#include "pc_image.h"
#include "pc_rules.h"   /* pc_when_scratch, pc_walk_scratch */
#include "pc_excepts.h" /* pc_except_scratch */
#include "pc_host_path.h" /* pc_host_mounts, pc_host_found_scratch */
#include "pc_guard.h" /* pc_guard */
#include "pc_content.h" /* pc_digest_cache, pc_digest_scratch */
#include "pc_exec_aliases.h" /* pc_alias_scratch */

/* The kernel reads "Dual BSD/GPL" as GPL-compatible: the helpers the programs use need it. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

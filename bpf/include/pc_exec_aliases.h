/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_exec_aliases.h: the exec rules at a file's other host paths. A file under
 * a directory the host shows at several paths (a bind mount in the host's
 * namespace) is at each of them, and a rule that names any of them applies
 * ("Host paths" in portcullis_abi.h). Rare, so apart from the common path: a
 * global function (exec_aliases.bpf.c), verified once per program, whose
 * results are read from a per-CPU map, so what the verifier follows after it
 * is the same whether it ran or not.
 */
#ifndef PC_EXEC_ALIASES_H
#define PC_EXEC_ALIASES_H

#include "pc_image.h"
#include "pc_exec_paths.h"

/* The accept list of exec DFA d (pc_exec_paths.h) at the (k + 1)-th other host path: lists[k * PC_EXEC_DFA_MAX + d]. */
#define PC_ALIAS_LISTS (PC_HOST_ALIASES_MAX * PC_EXEC_DFA_MAX)
struct pc_alias_lists {
	__u32 count;                 /* PC_ALIAS_LISTS when filled for the file read last, else 0: none to read */
	__u32 lists[PC_ALIAS_LISTS]; /* 0: none */
};

/* Defined in maps.bpf.c. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_alias_lists);
} pc_alias_scratch SEC(".maps");

/*
 * Walks the exec DFAs of the image of generation `generation` over the other
 * host paths of the file whose host path pc_host_path read last on this CPU
 * (the mount's aliases, each followed by the same path below the mount), into
 * pc_alias_scratch (marking it filled: its count), then puts that host path
 * back in pc_path_scratch. Returns
 * 0; PC_HOST_UNREADABLE when one of them cannot be read, the table does not
 * store them all or changed meanwhile, or a swap came in between (fail closed).
 * Its frames and the DFA walk's are the deepest of the exec hook's call chain.
 */
int pc_exec_alias_lists(__u64 generation);

#endif /* PC_EXEC_ALIASES_H */

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_content.h: what a file holds, as exec rules name it (SHA-256). The exec
 * and mapping hooks are sleepable: they ask IMA for the digest
 * (bpf_ima_file_hash), and keep it in the inode's storage until the file is
 * opened for writing or truncated (content.bpf.c forgets it then): a file is
 * read once per version.
 */
#ifndef PC_CONTENT_H
#define PC_CONTENT_H

#include "pc_kernel.h"
#include "pc_image.h"
#include "pc_subjects.h"
#include <bpf/bpf_core_read.h>

PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pc_digest_cache);
} pc_digest_cache SEC(".maps");

/*
 * The digest of the file a hook decides on, as it learnt it: per CPU, off the
 * stack, so the verifier follows one state past it, not one per outcome.
 */
struct pc_digest {
	__u32 known; /* 0: not computed, or could not be (a content condition on it is unknown) */
	__u32 rules;      /* pc_content_find's results */
	__u32 conditions;
	__u32 pad;
	__u8 bytes[PC_DIGEST_BYTES];
};
/* pc_digest.conditions: every content condition unknown; the image swapped under pc_content_find. */
#define PC_CONTENT_UNKNOWN 0xffffffffu
#define PC_CONTENT_STALE 0xfffffffeu
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_digest);
} pc_digest_scratch SEC(".maps");

static __always_inline struct pc_digest *pc_digest_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&pc_digest_scratch, &zero);
}

#define PC_HASH_ALGO_SHA256 4 /* enum hash_algo */

/*
 * Filesystems whose files change only through this kernel's VFS, where an
 * open for writing or a truncation is seen: a kept digest is exact there.
 * Elsewhere (NFS, 9p, FUSE, ...) the file is hashed at every exec.
 */
static __always_inline int pc_digest_keepable(struct inode *inode)
{
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	switch (magic) {
	case 0xEF53:     /* ext2, ext3, ext4 */
	case 0x58465342: /* xfs */
	case 0x9123683E: /* btrfs */
	case 0xF2F52010: /* f2fs */
	case 0x01021994: /* tmpfs, memfd */
	case 0x794c7630: /* overlayfs (its own inode: writes through it are seen) */
	case 0x73717368: /* squashfs (read-only) */
	case 0xE0F5E1E2: /* erofs (read-only) */
		return 1;
	default:
		return 0;
	}
}

/*
 * The digest `kept` holds, copied into `bytes`: 1 when its state word, read
 * as `state` before, says it is valid and still says so after the copy.
 */
static __always_inline int pc_digest_read_kept(struct pc_digest_cache *kept, __u64 state, __u8 *bytes)
{
	if ((state & PC_KEPT_PHASE) != PC_KEPT_VALID)
		return 0;
	__builtin_memcpy(bytes, kept->digest, PC_DIGEST_BYTES);
	return __sync_fetch_and_add(&kept->state, 0) == state;
}

/*
 * The digest of `file` into pc_digest_scratch, when some image in force has
 * content rules (pc_summary), else "not computed". May sleep: call in a
 * sleepable program before it uses any other per-CPU scratch space; the
 * scratch is written after the last point where it may sleep. A digest is
 * computed once per version of a file (struct pc_digest_cache): kept when the
 * file had no writer when hashing began and no change came in meanwhile. A
 * frame of its own, off the deep call chains.
 */
static __noinline __attribute__((unused)) void pc_content_digest(struct file *file)
{
	__u8 bytes[PC_DIGEST_BYTES];
	int known = 0;
	struct pc_summary *summary = pc_summary_get();
	struct inode *inode = file ? file->f_inode : 0;
	if ((!summary || summary->content) && inode) {
		struct pc_digest_cache *kept =
			bpf_inode_storage_get(&pc_digest_cache, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		__u64 state = kept ? __sync_fetch_and_add(&kept->state, 0) : 0;
		if (kept && pc_digest_read_kept(kept, state, bytes)) {
			known = 1;
		} else {
			/* After reading the state: a writer counts itself before lsm/file_open bumps the version. */
			int writers = BPF_CORE_READ(inode, i_writecount.counter);
			if (bpf_ima_file_hash(file, bytes, PC_DIGEST_BYTES) == PC_HASH_ALGO_SHA256) {
				known = 1; /* else IMA could not hash it, or hashes with another algorithm: unknown */
				if (kept && writers <= 0 && (state & PC_KEPT_PHASE) == PC_KEPT_EMPTY &&
				    pc_digest_keepable(inode) &&
				    __sync_val_compare_and_swap(&kept->state, state, state | PC_KEPT_WRITING) == state) {
					__builtin_memcpy(kept->digest, bytes, PC_DIGEST_BYTES);
					__sync_val_compare_and_swap(&kept->state, state | PC_KEPT_WRITING,
								    state | PC_KEPT_VALID);
				}
			}
		}
	}
	struct pc_digest *out = pc_digest_get();
	if (!out)
		return;
	out->rules = 0; /* until pc_content_find: no rule, every condition unknown */
	out->conditions = PC_CONTENT_UNKNOWN;
	out->known = known;
	if (known)
		__builtin_memcpy(out->bytes, bytes, PC_DIGEST_BYTES);
}

/*
 * The digest kept for `file` into pc_digest_scratch, without hashing (a hook
 * that cannot sleep). A frame of its own, off the deep call chains.
 */
static __noinline __attribute__((unused)) void pc_content_kept(struct file *file)
{
	struct pc_digest *out = pc_digest_get();
	if (!out)
		return;
	out->rules = 0;
	out->conditions = PC_CONTENT_UNKNOWN;
	out->known = 0;
	struct pc_summary *summary = pc_summary_get();
	struct inode *inode = file ? file->f_inode : 0; /* a BTF pointer: the helper takes no other */
	if ((summary && !summary->content) || !inode)
		return;
	struct pc_digest_cache *kept = bpf_inode_storage_get(&pc_digest_cache, inode, 0, 0);
	if (kept && pc_digest_read_kept(kept, __sync_fetch_and_add(&kept->state, 0), out->bytes))
		out->known = 1;
}

/* Forgets the digest kept for `inode`: it may change. */
static __always_inline void pc_content_forget(struct inode *inode)
{
	struct pc_digest_cache *kept = inode ? bpf_inode_storage_get(&pc_digest_cache, inode, 0, 0) : 0;
	if (!kept)
		return;
	/*
	 * The version first: a hook that claimed the entry (or read its state to
	 * claim it) before this can no longer complete; then the phase, so no
	 * digest reads as valid. The other order would let a claim made between
	 * the two steps end valid with the old bytes.
	 */
	__sync_fetch_and_add(&kept->state, PC_KEPT_VERSION);
	__sync_fetch_and_and(&kept->state, ~PC_KEPT_PHASE);
}

struct pc_digest_probe {
	void *image;
	__u32 table, mask, slot;
	const __u32 *digest;
	__u32 found; /* the entry's line, + 1 */
};

/* Probe i of the open-addressing sequence (bpf_loop: verified once). */
static __attribute__((unused)) long pc_digest_step(__u32 i, struct pc_digest_probe *p)
{
	__u32 line = p->table / PC_LINE_WORDS + ((p->slot + i) & p->mask);
	struct pc_digest_entry *entry = (struct pc_digest_entry *)pc_line(p->image, line);
	if (!entry || !entry->used)
		return 1; /* an empty slot ends the probe sequence */
	for (int w = 0; w < PC_DIGEST_BYTES / 4; w++)
		if (entry->digest[w] != p->digest[w])
			return 0;
	p->found = line + 1;
	return 1;
}

/*
 * What the content table of the active image says of the digest in
 * pc_digest_scratch, written there: `rules`, the accept list of the rules it
 * matches (0: none), and `conditions`, the offset of the set of content
 * conditions it meets (0: none). A digest the hook could not have meets every
 * condition possibly and none certainly (PC_CONTENT_UNKNOWN), and brings the
 * rules with a content condition: fail closed, a deny may apply, an allow
 * cannot. A global function (content.bpf.c), verified once: it finds the
 * image itself, and when that is not generation `generation` any more (a swap
 * came in between) says PC_CONTENT_STALE, which the caller reads as unknown.
 */
int pc_content_find(__u64 generation);

/* The accept list pc_content_find found, in `image` (the caller's). */
static __always_inline __u32 pc_content_rules(void *image)
{
	struct pc_digest *digest = pc_digest_get();
	if (!digest)
		return pc_word(image, PC_HDR_EXEC_CONTENT_UNKNOWN);
	if (digest->conditions == PC_CONTENT_STALE)
		return pc_word(image, PC_HDR_EXEC_CONTENT_UNKNOWN);
	return digest->rules;
}

/* The content conditions pc_content_find found met, into `content`. */
static __always_inline void pc_content_meets(void *image, struct pc_subjects *content)
{
	struct pc_digest *digest = pc_digest_get();
	__u32 set = digest ? digest->conditions : PC_CONTENT_UNKNOWN;
	if (set == PC_CONTENT_STALE)
		set = PC_CONTENT_UNKNOWN;
	struct pc_image_line *l = set && set != PC_CONTENT_UNKNOWN ? pc_line(image, set / PC_LINE_WORDS) : 0;
	__u32 half = set & (PC_LINE_WORDS - PC_SUBJECT_WORDS);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		__u32 w = l ? l->w[(half + i) & (PC_LINE_WORDS - 1)] : 0;
		content->possible[i] = set == PC_CONTENT_UNKNOWN ? ~0u : w;
		content->certain[i] = w;
	}
}

#endif /* PC_CONTENT_H */

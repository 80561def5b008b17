/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_image.h: the maps that hold the policy generation, and how programs
 * read the compiled image (layout: bpf/abi/include/portcullis_abi.h).
 */
#ifndef PC_IMAGE_H
#define PC_IMAGE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "portcullis_abi.h"

/*
 * The template for every generation's image; userspace sets max_entries.
 * Sizes rather than types: an extern declaration would only carry a forward
 * declaration of the line type, which the static linker cannot size.
 */
struct pc_image_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_RDONLY_PROG); /* no program writes an image */
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct pc_image_line));
};

/*
 * maps.bpf.c defines the maps (PC_DEFINE_MAPS); every other file sees extern
 * declarations, and the static linker joins them into one object.
 */
#ifdef PC_DEFINE_MAPS
#define PC_MAP
#else
#define PC_MAP extern
#endif

/* The active generation's image, and the pending one while it is seeded. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, PC_IMAGE_SLOTS);
	__type(key, __u32);
	__array(values, struct pc_image_map);
} pc_image SEC(".maps");

/* Per-CPU scratch space for a path. */
struct pc_path_buf {
	char data[PC_PATH_MAX];
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_path_buf);
} pc_path_scratch SEC(".maps");

/*
 * Per-CPU scratch space for computing a task's subjects (its texts, its
 * cgroup path): apart from pc_path_scratch, since a hook computes them after
 * reading its own path there.
 */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_path_buf);
} pc_text_scratch SEC(".maps");

/* What each task is (struct pc_task): computed at exec and by the seeding iterator, copied at fork. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pc_task);
} pc_tasks SEC(".maps");

/* Per-CPU scratch space for a mount's source and filesystem type. */
struct pc_mount_buf {
	char source[PC_PATH_MAX];
	char fstype[PC_PATH_MAX]; /* walked like a path: the DFA walk reads PC_PATH_MAX-byte buffers */
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_mount_buf);
} pc_mount_scratch SEC(".maps");

/*
 * Per-CPU space where an event is put together before it is copied into the
 * ring buffer up to the end of its path (pc_event_send): a reservation would
 * take the whole struct, PC_PATH_MAX of path included, for every event.
 */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_event);
} pc_event_scratch SEC(".maps");

/* Decision events (struct pc_event) for the daemon. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PC_EVENT_RING_BYTES);
} pc_events SEC(".maps");

/* Counters (enum pc_stat), per CPU. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} pc_stats SEC(".maps");

/* Rate-limit buckets by rule index, per CPU. */
struct pc_rate {
	__u64 last_ns;
	__u64 tokens;
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PC_RATE_SLOTS);
	__type(key, __u32);
	__type(value, struct pc_rate);
} pc_rates SEC(".maps");

/* Decisions per rule (see PC_HITS_MAX), per CPU. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PC_HITS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} pc_hits SEC(".maps");

/* What the images in force need (struct pc_summary): a plain array, so a lookup is inlined. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_summary);
} pc_summary SEC(".maps");

/* Which build of the programs is attached (a hash of the object), for upgrades. */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pc_meta SEC(".maps");

/* The summary of the images in force; NULL cannot happen (read it as "everything needed"). */
static __always_inline struct pc_summary *pc_summary_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&pc_summary, &zero);
}

/* Whether tasks keep records: some image in force or pending has subject conditions or argument rules. */
static __always_inline int pc_task_records_wanted(void)
{
	struct pc_summary *summary = pc_summary_get();
	return !summary || summary->task_records;
}

/* The active image, or NULL when no generation has been applied yet. */
static __always_inline void *pc_image_get(void)
{
	__u32 slot = PC_IMAGE_ACTIVE;
	return bpf_map_lookup_elem(&pc_image, &slot);
}

/* The image about to become active, while tasks are seeded for it; else NULL. */
static __always_inline void *pc_image_pending(void)
{
	__u32 slot = PC_IMAGE_PENDING;
	return bpf_map_lookup_elem(&pc_image, &slot);
}

/* Word `index` of `image`; 0 when out of range (0 reads as "nothing"). */
static __always_inline __u32 pc_word(void *image, __u32 index)
{
	__u32 line = index / PC_LINE_WORDS;
	struct pc_image_line *l = bpf_map_lookup_elem(image, &line);
	if (!l)
		return 0;
	return l->w[index & (PC_LINE_WORDS - 1)];
}

/* Line `index` of `image`, or NULL. */
static __always_inline struct pc_image_line *pc_line(void *image, __u32 index)
{
	return bpf_map_lookup_elem(image, &index);
}

/*
 * The header's line 0 (every word a decision on the task's subjects reads,
 * PC_HDR_LINE0_END), read with one lookup; NULL when it cannot be read.
 */
struct pc_header {
	struct pc_image_line *l0;
};

static __always_inline struct pc_header pc_header_get(void *image)
{
	struct pc_header h = { 0 };
	if (image)
		h.l0 = pc_line(image, 0);
	return h;
}

/* Header word `index` of line 0 (a constant; another fails to compile); 0 when the line could not be read. */
#define pc_hdr(h, index)                                                                          \
	({                                                                                        \
		_Static_assert((index) < PC_HDR_LINE0_END, "a header word outside line 0");       \
		pc_hdr_line0((h), (index));                                                       \
	})

static __always_inline __u32 pc_hdr_line0(const struct pc_header *h, __u32 index)
{
	return h->l0 ? h->l0->w[index & (PC_LINE_WORDS - 1)] : 0;
}

/* The generation number in a header. */
static __always_inline __u64 pc_hdr_generation(const struct pc_header *h)
{
	return (__u64)pc_hdr(h, PC_HDR_GEN_HI) << 32 | pc_hdr(h, PC_HDR_GEN_LO);
}

/* The image's generation number. */
static __always_inline __u64 pc_generation(void *image)
{
	struct pc_image_line *header = pc_line(image, 0);
	if (!header)
		return 0;
	return (__u64)header->w[PC_HDR_GEN_HI] << 32 | header->w[PC_HDR_GEN_LO];
}

/* The subject epoch in a header: the stamp of the tasks' views of that image. */
static __always_inline __u64 pc_hdr_subject_epoch(const struct pc_header *h)
{
	return (__u64)pc_hdr(h, PC_HDR_SUBJECT_EPOCH_HI) << 32 | pc_hdr(h, PC_HDR_SUBJECT_EPOCH_LO);
}

/* The image's subject epoch (0 when its header cannot be read: no view has it). */
static __always_inline __u64 pc_subject_epoch(void *image)
{
	struct pc_image_line *header = pc_line(image, 0);
	if (!header)
		return 0;
	return (__u64)header->w[PC_HDR_SUBJECT_EPOCH_HI] << 32 | header->w[PC_HDR_SUBJECT_EPOCH_LO];
}

#endif /* PC_IMAGE_H */

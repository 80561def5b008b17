/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * portcullis_abi.h: the one contract between the BPF programs (bpf/NAME.bpf.c)
 * and the Swift side (module CPortcullisABI). Both include this file, so map
 * keys, values and the layout of the compiled policy image cannot drift apart.
 *
 * Bump PC_ABI_VERSION on any change to a layout or a meaning below.
 *
 * The compiled policy image
 * -------------------------
 * One generation of policy is one flat array of 32-bit words, stored in a
 * fresh BPF array map (the "inner map") of 64-byte lines. The programs reach
 * it through the map-in-map `pc_image`: slot PC_IMAGE_ACTIVE holds the
 * generation in force. A policy change fills a new inner map, freezes it,
 * puts it in slot PC_IMAGE_PENDING while every task's subjects are computed
 * for it (struct pc_task), then swaps it into the active slot with one write
 * and empties the pending one, so a program sees either the old generation or
 * the new one, never a mix.
 *
 * Word offsets inside the image ("offsets" below are word indexes):
 *
 *   header (PC_HDR_WORDS words, two lines; line 0 has what a decision on
 *   subjects reads: enum pc_header_word)
 *     [PC_HDR_MAGIC]        PC_IMAGE_MAGIC
 *     [PC_HDR_ABI]          PC_ABI_VERSION
 *     [PC_HDR_GEN_LO/HI]    the generation number, 64 bits
 *     [PC_HDR_EXEC_DFA]     offset of the (first) exec-path DFA, 0 when no exec rules
 *     [PC_HDR_RULES]        offset of the rule table
 *     [PC_HDR_RULE_COUNT]   number of rules
 *     [PC_HDR_CAPS]         offset (line-aligned) of the capability table, 0 when none
 *     [PC_HDR_SUBJECT_EXE_DFA]   DFA over the acting process's executable path;
 *                                its accepts point at subject sets, not lists
 *     [PC_HDR_SUBJECT_ARGS_DFA]  DFA over its arguments (argv[1..] joined by spaces)
 *     [PC_HDR_SUBJECT_ANY]       offset (line-aligned) of one line: words [0, 8) the
 *                                subjects with no path condition, [8, 16) those with
 *                                no argument condition
 *
 *     [PC_HDR_EXEC_INODES]  offset (line-aligned) of the exec rules' file identities, 0 when none
 *     [PC_HDR_EXEC_INODE_MASK]  their table's capacity - 1 (a power of two, minus one)
 *
 *   file identities: exec rules naming a literal path also match that file by
 *   identity (device, inode), so a hardlink or a bind-mounted copy of its
 *   directory cannot dodge them. An open-addressing table of entries of
 *   PC_INODE_ENTRY_WORDS words [dev, ino low, ino high, accept list offset];
 *   dev in the kernel's encoding (major << 20 | minor); an entry sits at most
 *   PC_INODE_PROBES slots after its hash slot (see pc_inode_hash).
 *
 *     [PC_HDR_EXEC_DIGESTS]       offset (line-aligned) of the content table, 0 when no
 *                                 exec rule names content
 *     [PC_HDR_EXEC_DIGEST_MASK]   its entry count - 1 (a power of two, minus one)
 *     [PC_HDR_EXEC_CONTENT_UNKNOWN] accept list of the rules with a content condition
 *                                 (`sha256:`), for a file whose digest cannot be had:
 *                                 its content conditions are unknown (fail closed)
 *   content: exec rules name files by SHA-256 digest. Explicit digests (`sha256:`)
 *   are a condition of their rule (AND with its paths): each distinct one is a
 *   content condition id, PC_RULE_CONTENT. A literal-path deny or audit rule also
 *   matches the content of the file at its path (an alternative to its path,
 *   like its identity). The kernel hashes the executed file (IMA's SHA-256,
 *   cached per inode until the file is opened for writing) and finds its digest
 *   in an open-addressing table of one-line entries (struct pc_digest_entry),
 *   each at most PC_DIGEST_PROBES slots after its hash slot (pc_digest_hash).
 *
 *     [PC_HDR_MOUNT]        offset of the mount section, 0 when no mount rules
 *
 *     [PC_HDR_SUBJECT_UIDS]      offset (line-aligned) of the uid section, 0 when no
 *                                subject has a uid condition
 *     [PC_HDR_SUBJECT_UID_MASK]  its bucket count - 1 (a power of two, minus one)
 *
 *     [PC_HDR_SUBJECT_EXCEPTS]      offset (line-aligned) of the except section, 0 when
 *                                   no subject has exceptions
 *     [PC_HDR_SUBJECT_EXCEPT_COUNT] its number of lines
 *
 *     [PC_HDR_EXEC_NAME_DFA]    DFA over one name (a path's last component), accepting
 *                           every name that ends some path the exec-path DFA accepts;
 *                           0 when it would let every name through, or the exec-path
 *                           DFA accepts the empty path. A file whose name it rejects
 *                           matches no path rule, wherever it is: the mapping hooks
 *                           (and the exec hook, while tasks keep no records) then
 *                           skip reading its whole path. Unless the file is itself
 *                           the root of a mount (its host path ends in the mount
 *                           point's name).
 *     [PC_HDR_EXEC_CONDITIONS]  PC_EXEC_HAS_* bits: whether some exec rule has a
 *                               condition on the caller, or on the arguments
 *     [PC_HDR_SUBJECT_CGROUP_DFA]   DFA over the acting process's cgroup v2 path (from
 *                                   the root of the hierarchy: /system.slice/nginx.service),
 *                                   0 when no subject has a unit or cgroup condition
 *     [PC_HDR_SUBJECT_NO_CGROUP]    offset (half-line aligned) of the set of subjects with
 *                                   no unit and no cgroup condition
 *     [PC_HDR_SUBJECT_INITIAL_USERNS] offset (half-line aligned) of the set of subjects
 *                                   (of capability rules) that apply only when the
 *                                   capability is checked against the initial user
 *                                   namespace; 0 when none
 *     [PC_HDR_SUBJECT_EPOCH_LO/HI] the subject epoch, 64 bits, never 0: what the
 *                                 tasks' views of this image are stamped with (struct
 *                                 pc_task_view). Images whose subjects have the same
 *                                 conditions on the executable, the arguments and the
 *                                 cgroup share an epoch, so a view computed for one holds
 *                                 for the next: a swap between them needs no new views.
 *                                 Set by the loader (the compiler writes 0).
 *     [PC_HDR_EXEC_DFA_MORE + i]  for i < PC_EXEC_DFA_MAX - 1: offset of exec-path DFA
 *                                 i + 2, 0 after the last. When one product of every
 *                                 exec path pattern would pass the compiler's state cap,
 *                                 the patterns are split (whole rules, each with its
 *                                 policy's `allow` rules without conditions, so their
 *                                 carving out holds in every DFA) into at most
 *                                 PC_EXEC_DFA_MAX DFAs, each within the cap; the exec
 *                                 hooks walk every one over the path (pc_exec_paths.h)
 *                                 and decide on all their accept lists at once. A set
 *                                 that fits in one has these words 0. The name DFA
 *                                 (PC_HDR_EXEC_NAME_DFA) is one for all of them.
 *
 *   the except section: one line per subject with `except` clauses: word 0 its
 *   subject id, words [8, 16) the set of its exceptions (each a subject of its
 *   own). Once the task's subjects are known (record, then uid), each listed
 *   subject is removed if the task is also one of its exceptions: a decision
 *   costs one line per subject with exceptions.
 *
 *   the uid section: a uid condition is met by the acting task's real uid at the
 *   moment of the decision (setuid programs keep the caller's real uid). One
 *   line, words [0, 8): the subjects with no uid condition; then one line per
 *   bucket of PC_UID_BUCKET_SLOTS entries [uid + 1 (0: empty), offset of the set
 *   of subjects naming that uid]; uid u lives in bucket pc_uid_hash(u) & mask,
 *   so a decision reads one line. A task is a subject only if its uid is allowed.
 *
 *   the mount section (PC_MOUNT_WORDS words): mount rules are numbered 0..n-1
 *   (at most PC_MOUNT_RULE_MAX) and sets of them are bitmaps laid out like
 *   subject sets. A mount rule matches when every condition it has matches:
 *     [PC_MOUNT_TARGET_DFA] [PC_MOUNT_SOURCE_DFA] [PC_MOUNT_FSTYPE_DFA]
 *                           DFAs whose accepts point at mount-rule sets (0: none)
 *     [PC_MOUNT_ANY]        a line-aligned line: [0, 8) the rules with no target
 *                           condition, [8, 16) those with no source condition
 *     [PC_MOUNT_NO_FSTYPE]  the rules with no fstype condition (one set)
 *     [PC_MOUNT_FLAG_SETS]  PC_MOUNT_FLAG_COUNT sets: the rules requiring each
 *                           flag of enum pc_mount_flag
 *     [PC_MOUNT_RULES]      per mount rule PC_MOUNT_RULE_WORDS words: [rule index,
 *                           subject id, silence set]: for an `allow` rule, the offset
 *                           of the set of its policy's mount rules, which say nothing
 *                           when it matches; 0 for the others
 *     [PC_MOUNT_RULE_COUNT]
 *
 *   Every set (of subjects or of mount rules) starts on a half-line boundary
 *   (a multiple of PC_SUBJECT_WORDS words), so one lookup reads it whole.
 *
 *   subjects: who acts. A subject is a set of conditions on the acting process
 *   (its executable, its arguments, its cgroup); a generation has at most PC_SUBJECT_MAX.
 *   Each task records which subjects it is (a subject set: a bitmap of
 *   PC_SUBJECT_WORDS words) in task storage, per generation (struct pc_task).
 *
 *   the capability table: PC_CAP_COUNT entries of one line each, for capability c:
 *     words [0, 8)   the subjects whose use of c is denied
 *     words [8, 16)  the subjects whose use of c is audited
 *   and after it PC_CAP_COUNT * PC_SUBJECT_MAX words: the rule index + 1 that
 *   decided (capability, subject), for events.
 *
 *   a DFA (PC_DFA_WORDS words, then its tables)
 *     [PC_DFA_CLASS_COUNT]  columns of the transition table
 *     [PC_DFA_STATE_COUNT]  rows; state 0 is the dead state
 *     [PC_DFA_START]        the start state
 *     [PC_DFA_CLASSES]      offset of 64 words: byte b's class is byte (b & 3)
 *                           of word (b >> 2), little-endian
 *     [PC_DFA_TRANSITIONS]  offset of state_count * class_count words
 *     [PC_DFA_ACCEPTS]      offset of state_count words: 0, or the offset of
 *                           an accept list [count, rule index...]
 *
 *   the rule table: rule_count records of PC_RULE_WORDS words
 *     [PC_RULE_ACTION]      enum pc_action
 *     [PC_RULE_ID]          the rule's index, reported in events
 *     [PC_RULE_KEY_LO/HI]   a 64-bit key naming the rule across generations (its
 *                           policy and its place there): pc_hits counts by it
 *     [PC_RULE_CALLER]      exec rules: the subject id + 1 the calling task must be
 *                           (its subjects, uid and exceptions applied), 0: anyone
 *     [PC_RULE_ARGS]        exec rules: the subject id + 1 of a subject with only an
 *                           argument condition, which the new program's arguments
 *                           must meet, 0: none. Such a rule is decided once the exec
 *                           has completed (sched_process_exec: the arguments are
 *                           readable and no code of the program has run), by
 *                           SIGKILL; the exec hook and the mapping hooks during an
 *                           exec skip it; an executable mapping outside an exec
 *                           (the loader trick) counts it as met (fail closed).
 *     [PC_RULE_CONTENT]     exec rules: the content condition id + 1 the executed
 *                           file's digest must meet (`sha256:`), 0: none
 *     [PC_RULE_POLICY]      the ordinal of the rule's policy in the generation: an
 *                           exec `allow` rule with conditions silences the rules of
 *                           its own policy where it matches (pc_rules.h)
 */
#ifndef PORTCULLIS_ABI_H
#define PORTCULLIS_ABI_H

#include <linux/types.h>

#define PC_ABI_VERSION 10
#define PC_IMAGE_MAGIC 0x4d494350u /* "PCIM" */

/* The slots of pc_image. */
#define PC_IMAGE_ACTIVE 0
#define PC_IMAGE_PENDING 1
#define PC_IMAGE_SLOTS 2

/*
 * What the images in force need, in the map pc_summary (one entry; written by
 * the daemon, only read by programs), so that the hot paths need not read an
 * image to learn that it asks nothing of them. The daemon keeps it a superset
 * of what the active image needs, and the pending one while tasks are seeded
 * for it: both images' needs from before the new image is staged until the
 * swap, the new image's after it; every need before the programs attach.
 */
/*
 * pc_summary.task_records: PC_SUMMARY_RECORDS when some image has subject
 * conditions or argument rules (tasks keep records, pc_tasks); with it,
 * PC_SUMMARY_NO_CGROUP_SUBJECTS when no image has a cgroup condition (no view
 * depends on the task's cgroup: the hooks need not look for a move). The
 * second is a promise, never implied: a summary without it (an older daemon's)
 * makes the hooks look, as before.
 */
#define PC_SUMMARY_RECORDS 1u
#define PC_SUMMARY_NO_CGROUP_SUBJECTS 2u

struct pc_summary {
	__u64 capabilities; /* bit c: some rule may name capability c (a capability table line not all zeros) */
	__u32 task_records; /* 0, or PC_SUMMARY_RECORDS [| PC_SUMMARY_NO_CGROUP_SUBJECTS] */
	__u32 content;      /* nonzero: some exec rule names content (PC_HDR_EXEC_DIGESTS): executed files are hashed */
};

/* The image is stored as lines of PC_LINE_WORDS words. */
#define PC_LINE_WORDS 16
struct pc_image_line {
	__u32 w[PC_LINE_WORDS];
};

/* Longest path the exec hook reads; a longer one cannot be checked. */
#define PC_PATH_MAX 4096
/* Most rules one DFA state may accept. */
#define PC_ACCEPT_MAX 64
/*
 * Most exec-path DFAs one image has: the first at PC_HDR_EXEC_DFA, the others at
 * PC_HDR_EXEC_DFA_MORE. Each is walked over the path once (linear in its length),
 * so an exec costs at most this many walks; each DFA has at most the compiler's
 * state cap (65,536 states), so the exec patterns can have up to four times that.
 */
#define PC_EXEC_DFA_MAX 4

/*
 * Line 0 holds every word a decision on the acting task's subjects reads
 * (the capability table, the subject epoch, the uid, except and user
 * namespace sections): pc_capable and pc_subjects_acting read the header
 * with one lookup (struct pc_header). The words only the exec, mount and
 * seeding paths read are in line 1.
 */
enum pc_header_word {
	PC_HDR_MAGIC = 0,
	PC_HDR_ABI = 1,
	PC_HDR_GEN_LO = 2,
	PC_HDR_GEN_HI = 3,
	PC_HDR_EXEC_DFA = 4,
	PC_HDR_SUBJECT_EXCEPTS = 5,
	PC_HDR_SUBJECT_EXCEPT_COUNT = 6,
	PC_HDR_CAPS = 7,
	PC_HDR_SUBJECT_EPOCH_LO = 8,
	PC_HDR_SUBJECT_EPOCH_HI = 9,
	PC_HDR_SUBJECT_ANY = 10,
	PC_HDR_EXEC_INODES = 11,
	PC_HDR_EXEC_INODE_MASK = 12,
	PC_HDR_SUBJECT_INITIAL_USERNS = 13,
	PC_HDR_SUBJECT_UIDS = 14,
	PC_HDR_SUBJECT_UID_MASK = 15,
	PC_HDR_RULES = 16,
	PC_HDR_RULE_COUNT = 17,
	PC_HDR_EXEC_CONDITIONS = 18,
	PC_HDR_EXEC_NAME_DFA = 19,
	PC_HDR_SUBJECT_CGROUP_DFA = 20,
	PC_HDR_SUBJECT_NO_CGROUP = 21,
	PC_HDR_MOUNT = 22,
	PC_HDR_EXEC_DIGESTS = 23,
	PC_HDR_EXEC_DIGEST_MASK = 24,
	PC_HDR_EXEC_CONTENT_UNKNOWN = 25,
	PC_HDR_EXEC_DFA_MORE = 26, /* 26, 27, 28: PC_EXEC_DFA_MAX - 1 words */
	PC_HDR_SUBJECT_EXE_DFA = 29,
	PC_HDR_SUBJECT_ARGS_DFA = 30,
	PC_HDR_WORDS = 32, /* two lines */
	PC_HDR_LINE0_END = PC_LINE_WORDS, /* words below it are in line 0 (struct pc_header) */
};
_Static_assert(PC_HDR_CAPS < PC_HDR_LINE0_END && PC_HDR_SUBJECT_EPOCH_HI < PC_HDR_LINE0_END &&
		       PC_HDR_SUBJECT_EPOCH_LO < PC_HDR_LINE0_END && PC_HDR_SUBJECT_ANY < PC_HDR_LINE0_END &&
		       PC_HDR_SUBJECT_UIDS < PC_HDR_LINE0_END && PC_HDR_SUBJECT_UID_MASK < PC_HDR_LINE0_END &&
		       PC_HDR_SUBJECT_EXCEPTS < PC_HDR_LINE0_END && PC_HDR_SUBJECT_EXCEPT_COUNT < PC_HDR_LINE0_END &&
		       PC_HDR_SUBJECT_INITIAL_USERNS < PC_HDR_LINE0_END && PC_HDR_GEN_HI < PC_HDR_LINE0_END &&
		       PC_HDR_EXEC_INODE_MASK < PC_HDR_LINE0_END,
	       "the words of a decision on subjects (and the exec identities') are in header line 0");

enum pc_dfa_word {
	PC_DFA_CLASS_COUNT = 0,
	PC_DFA_STATE_COUNT = 1,
	PC_DFA_START = 2,
	PC_DFA_CLASSES = 3,
	PC_DFA_TRANSITIONS = 4,
	PC_DFA_ACCEPTS = 5,
	PC_DFA_WORDS = 8,
};
#define PC_DFA_CLASS_WORDS 64
#define PC_DFA_DEAD 0

/* The mount section. */
enum pc_mount_word {
	PC_MOUNT_TARGET_DFA = 0,
	PC_MOUNT_SOURCE_DFA = 1,
	PC_MOUNT_FSTYPE_DFA = 2,
	PC_MOUNT_ANY = 3,
	PC_MOUNT_NO_FSTYPE = 4,
	PC_MOUNT_FLAG_SETS = 5,
	PC_MOUNT_RULES = 6,
	PC_MOUNT_RULE_COUNT = 7,
	PC_MOUNT_WORDS = 8,
};
#define PC_MOUNT_RULE_MAX 256
#define PC_MOUNT_RULE_WORDS 4
/* The flags a mount rule can require, in this order; each is an MS_* flag of mount(2). */
#define PC_MOUNT_FLAG_COUNT 8
#define PC_MS_RDONLY 1
#define PC_MS_NOSUID 2
#define PC_MS_NODEV 4
#define PC_MS_NOEXEC 8
#define PC_MS_REMOUNT 32
#define PC_MS_BIND 4096
#define PC_MS_MOVE 8192
#define PC_MS_REC 16384
static inline unsigned long pc_mount_flag_bit(int flag)
{
	switch (flag) {
	case 0: return PC_MS_BIND;
	case 1: return PC_MS_REMOUNT;
	case 2: return PC_MS_MOVE;
	case 3: return PC_MS_REC;
	case 4: return PC_MS_RDONLY;
	case 5: return PC_MS_NOSUID;
	case 6: return PC_MS_NODEV;
	default: return PC_MS_NOEXEC;
	}
}

/* File identities. */
#define PC_INODE_ENTRY_WORDS 4
#define PC_INODE_PROBES 8
static inline __u32 pc_inode_hash(__u32 dev, __u64 ino)
{
	return ((__u32)ino ^ (__u32)(ino >> 32) ^ dev * 0x9e3779b1u) * 0x85ebca6bu;
}

/*
 * Content: SHA-256 digests, as IMA computes them (its default algorithm on
 * Debian's kernels). One table entry per line; `rules` 0 marks an empty slot.
 */
#define PC_DIGEST_BYTES 32
#define PC_DIGEST_PROBES 8
#define PC_CONTENT_MAX PC_SUBJECT_MAX /* content condition ids; sets of them are subject-set-sized bitmaps */
struct pc_digest_entry {
	__u32 digest[PC_DIGEST_BYTES / 4];
	__u32 rules;   /* accept list: rules this content matches (literal-path rules' files, `sha256:`-only rules) */
	__u32 content; /* offset (half-line aligned) of the set of content condition ids it meets, 0: none */
	__u32 used;    /* 1: the slot holds an entry */
	__u32 pad[5];
};
static inline __u32 pc_digest_hash(__u32 first_word)
{
	return first_word * 0x9e3779b1u;
}

/*
 * The kernel's digest of a file (pc_digest_cache, inode storage), kept until
 * the file is opened for writing or truncated (lsm/file_open,
 * lsm/path_truncate). `state` is version << 2 | phase: a hook that hashed the
 * file with no writer keeps the digest only if no such change came in between
 * (the version it read is unchanged), claiming the entry (WRITING) by
 * compare-and-swap; a change bumps the version, then clears the phase.
 */
#define PC_KEPT_EMPTY 0
#define PC_KEPT_WRITING 1
#define PC_KEPT_VALID 2
#define PC_KEPT_PHASE 3ull
#define PC_KEPT_VERSION 4ull
struct pc_digest_cache {
	__u64 state;
	__u8 digest[PC_DIGEST_BYTES];
};

/* The uid section's buckets: one line of [uid + 1, set offset] pairs each. */
#define PC_UID_BUCKET_SLOTS (PC_LINE_WORDS / 2)
static inline __u32 pc_uid_hash(__u32 uid)
{
	return (uid * 0x9e3779b1u) >> 7;
}

/*
 * Host paths
 * ----------
 * The path a rule sees is the file's path on its filesystem placed under where
 * that filesystem is mounted in the host's mount table, whatever the caller's
 * root, mount namespace, or the mount the file was reached through. The daemon
 * keeps the table in pc_host_mounts: for each mount of its own (the host's)
 * mount namespace, the filesystem's device (the kernel's dev_t, as
 * /proc/self/mountinfo shows it) and the inode number of the mount's root
 * directory, mapped to the mount point ("" for /). On btrfs, whose subvolumes
 * each number their inodes afresh, the device is the subvolume's (what stat(2)
 * shows, pc_inode_dev); the superblock's key is written too, for programs
 * loaded without the btrfs module's types, with more aliases than stored
 * (a path found by it may be another subvolume's: it cannot be read). The kernel walks from the
 * file's dentry up its parents, naming each, until it meets a directory the
 * table lists: that is where the path starts. A file with none above it (a
 * private tmpfs, a container's own overlay, an unmounted filesystem) has no
 * host path. A mount point of PC_MOUNT_POINT_MAX bytes or more, a path below
 * it as long, or one deeper than PC_HOST_DEPTH_MAX components, cannot be read
 * (fail closed).
 *
 * A mount's root can have other host paths: the host mounts its filesystem
 * elsewhere too, at the same directory or one above it (a bind mount, a peer
 * made for propagation, / bound under /tmp). The entry counts them in
 * `aliases`; up to PC_HOST_ALIASES_MAX of them are stored after the mount
 * point in `path` (alias[k]: `length` bytes at offset `start`); more, or ones
 * too long to store, count as PC_HOST_ALIASES_MAX + 1 and are not stored.
 * Exec and mapping rules match a file at any of its host paths (the file is
 * at each; a deny meets it wherever it names it), and a file whose host paths
 * are not all stored cannot be read (fail closed). Mount target conditions
 * match any of a target's host paths (the mount appears at each through
 * propagation, or the walk named another than the one the caller used); with
 * more than one alias, the target cannot be read (fail closed).
 */
struct pc_mount_root {
	__u32 dev;
	__u32 pad;
	__u64 ino;
};
#define PC_MOUNT_POINT_MAX 2048
#define PC_HOST_ALIASES_MAX 4
struct pc_mount_alias {
	__u32 start;  /* its offset in `path`, after the mount point */
	__u32 length; /* its bytes */
};
struct pc_mount_point {
	__u32 length;  /* bytes of the mount point at the front of `path`, 0 for the root */
	__u32 aliases; /* other host paths of the mount's root: 0 to PC_HOST_ALIASES_MAX, or PC_HOST_ALIASES_MAX + 1: more */
	struct pc_mount_alias alias[PC_HOST_ALIASES_MAX];
	char path[PC_MOUNT_POINT_MAX];
};
#define PC_HOST_MOUNTS_MAX 8192
#define PC_HOST_DEPTH_MAX 256

/*
 * The table's filter (pc_host_filter, one entry): a bit per key, bit
 * pc_host_filter_bit of the key's device and inode number. The walk looks a
 * directory up in the table only when its bit is set: most directories are
 * no mount's root, and a bit costs a load where a hash lookup is a helper
 * call. Every key the table holds has its bit set; a bit may be set for none
 * (another key's, or one removed). The daemon sets a key's bit before it adds
 * the key, and clears only the bits of keys it has removed, after removing
 * them: a walk never misses a mount because of the filter.
 */
#define PC_HOST_FILTER_BITS_LOG2 16
#define PC_HOST_FILTER_WORDS 1024 /* 64-bit words */
_Static_assert(PC_HOST_FILTER_WORDS * 64 == 1u << PC_HOST_FILTER_BITS_LOG2, "a bit per hash");
struct pc_host_filter {
	__u64 words[PC_HOST_FILTER_WORDS];
};
static inline __u32 pc_host_filter_bit(__u32 dev, __u64 ino)
{
	return pc_inode_hash(dev, ino) >> (32 - PC_HOST_FILTER_BITS_LOG2);
}

/* Subjects: sets of them are bitmaps of PC_SUBJECT_WORDS words. */
#define PC_SUBJECT_MAX 256
#define PC_SUBJECT_WORDS (PC_SUBJECT_MAX / 32)

/* The capability table. */
#define PC_CAP_COUNT 64
#define PC_CAP_DENY 0
#define PC_CAP_AUDIT PC_SUBJECT_WORDS

/*
 * What a task is, in task storage (pc_tasks).
 *
 * A task's subjects are computed from three texts kept in its record: the
 * canonical path of its executable, its arguments (argv[1..], NUL
 * separated), and its cgroup v2 path from the root of the hierarchy
 * (`/system.slice/nginx.service`), each at most PC_TASK_TEXT_MAX bytes. The
 * exec hook stages the path in `exec_exe`; once the exec has completed
 * (sched_process_exec) it becomes `exe`, the arguments and the cgroup are
 * read, and the subjects are computed for the active image and for the
 * pending one, if any. fork copies the record. All this only while
 * some image needs records (struct pc_summary): else none are made or copied,
 * and an exec drops the record of the task that execs. The seeding iterator (pc_seed)
 * recomputes every task's view for a new image from the stored texts before
 * that image becomes active, so no generation swap leaves a running process
 * without its subjects.
 *
 * A task changes cgroups without exec'ing (a write to cgroup.procs, clone3
 * with CLONE_INTO_CGROUP, a whole thread group moved at once), so the cgroup
 * text is kept with the id of the cgroup it was read from (`cgroup_id`), and
 * each view with the id its subjects were computed with. When the image has
 * cgroup conditions, a decision first compares the view's id with the acting
 * task's cgroup id; on a difference the task reads its cgroup path again and
 * recomputes its views, before deciding. Only the task itself writes its
 * cgroup text (at exec and at a decision), and ids only tell when to re-read:
 * matching is by path, so a unit restarted in a new cgroup is matched at once.
 *
 * The view for an image of subject epoch e (PC_HDR_SUBJECT_EPOCH) is
 * views[e & 1]; it is valid when its `epoch` is e (and, with cgroup
 * conditions, its `cgroup_id` is the task's cgroup's). Two images in force
 * one after the other have epochs of different parity unless their subjects'
 * conditions are the same (then one epoch, one view for both).
 *
 * Conditions are three-valued. A text that could not be read whole (unknown,
 * or cut while a condition might still match it) leaves each condition on it
 * unknown, so a view holds two sets: `possible`, the subjects whose conditions
 * hold or are unknown, and `certain`, those whose conditions are known to hold
 * (certain is a subset of possible; they are equal when every text was read
 * whole). A deny or an audit applies to the possible subjects; an `allow` and
 * an `except` only to the certain ones, so an unknown never grants anything.
 * A task with no record, or no valid view, is every subject possibly and the
 * subjects with no conditions certainly; a kernel thread (no record, no
 * executable) is known to be the subjects with no conditions.
 */
#define PC_TASK_TEXT_MAX 256
/* The arguments (argv[1..]) are read once argv[0] is skipped; a longer argv[0] leaves them unknown. */
#define PC_ARGV0_MAX 256
/* Most levels below the root a cgroup path is read through; a deeper one is unknown. */
#define PC_CGROUP_DEPTH 16
/* pc_task_text.flags */
#define PC_TEXT_KNOWN 1  /* the text was read */
#define PC_TEXT_CUT 2    /* it was longer than PC_TASK_TEXT_MAX: only its start is kept */
#define PC_TEXT_STAGED 4 /* exec_exe: set by the exec hook, not yet committed */
/*
 * exe: the file is at other host paths too (a directory the host mounts
 * twice), which the record does not keep: a condition the kept path meets
 * holds, any other is unknown (it may hold at another path).
 */
#define PC_TEXT_ALIASED 8

struct pc_task_text {
	__u32 length; /* bytes of `data` in use */
	__u32 flags;
	char data[PC_TASK_TEXT_MAX];
};

struct pc_task_view {
	__u64 epoch;     /* the subject epoch the sets were computed for (0: none) */
	__u64 cgroup_id; /* the cgroup id of the cgroup text they were computed from */
	__u32 possible[PC_SUBJECT_WORDS]; /* conditions that hold or are unknown */
	__u32 certain[PC_SUBJECT_WORDS];  /* conditions known to hold */
};

/*
 * The accept lists (offsets into the image of `generation`) the exec hook found
 * for an exec in progress: the path's and the file identity's, for each file
 * checked (a script, then its interpreter). Once the exec completes, the rules
 * with argument conditions are decided from them. count PC_EXEC_LISTS_MAX + 1:
 * too many, or two generations: decided from `exe` instead.
 */
#define PC_EXEC_LISTS_MAX 8
struct pc_exec_lists {
	__u64 generation;
	__u32 count;
	__u32 lists[PC_EXEC_LISTS_MAX];
};

struct pc_task {
	struct pc_task_view views[2];
	struct pc_task_text exe;      /* the executable's canonical path */
	struct pc_task_text args;     /* argv[1..], NUL separated */
	struct pc_task_text exec_exe; /* the path of an exec in progress */
	__u64 exec_mm;                /* that exec's new mm: mappings into it are part of the exec */
	struct pc_exec_lists exec_lists;
	struct pc_task_text cgroup;   /* the cgroup v2 path, from the root of the hierarchy */
	__u64 cgroup_id;              /* the id of the cgroup `cgroup` was read from; 0: never read */
};

enum pc_rule_word {
	PC_RULE_ACTION = 0,
	PC_RULE_ID = 1,
	PC_RULE_KEY_LO = 2,
	PC_RULE_KEY_HI = 3,
	PC_RULE_CALLER = 4,
	PC_RULE_ARGS = 5,
	PC_RULE_POLICY = 6,
	PC_RULE_CONTENT = 7,
	PC_RULE_WORDS = 8,
};

/* PC_HDR_EXEC_CONDITIONS bits. */
#define PC_EXEC_HAS_CALLER 1
#define PC_EXEC_HAS_ARGS 2
#define PC_EXEC_HAS_ALLOW 4 /* an exec allow rule with conditions (else allows are carved out when compiled) */
/*
 * Policies one exec decision keeps track of: those its `allow` rules with
 * conditions silence, and those waiting for the arguments. Beyond that, an
 * allow is ignored (its policy's rules stand: fail closed).
 */
#define PC_QUIET_MAX 4

enum pc_action {
	PC_ACTION_NONE = 0,
	PC_ACTION_AUDIT = 1,
	PC_ACTION_DENY = 2,
};

/*
 * Decision events
 * ---------------
 * Every deny and audit decision is reported through the ring buffer
 * `pc_events` as one struct pc_event, unless its rule's rate limit is spent
 * (PC_EVENT_BURST events, then PC_EVENT_RATE a second, per rule and CPU);
 * what is dropped is counted in `pc_stats`. A record is the event up to the
 * end of its path: PC_EVENT_FIXED_BYTES, then `path_bytes` bytes of `path`
 * (its text and NUL), so an event costs the ring what its path needs, not
 * PC_PATH_MAX.
 */
enum pc_hook {
	PC_HOOK_EXEC = 1,
	PC_HOOK_CAPABLE = 2,
	PC_HOOK_MOUNT = 3,
	PC_HOOK_MMAP_EXEC = 4, /* an executable mapping of a file exec rules deny */
	/* Tamper protection (struct pc_guard): an attempt on portcullis itself. */
	PC_HOOK_GUARD_MAP = 5,    /* a descriptor for one of our maps; path: the map's name, detail: fmode */
	PC_HOOK_GUARD_PTRACE = 6, /* ptrace, /proc/PID/mem, pidfd_getfd on the guardian; detail: PTRACE_MODE_* */
	PC_HOOK_GUARD_SIGNAL = 7, /* a signal to the guardian (locked); detail: the signal */
	PC_HOOK_GUARD_PIN = 8,    /* removing or renaming a pin (locked); path: its name, detail: enum pc_guard_pin_op */
	PC_HOOK_GUARD_UMOUNT = 9, /* unmounting the pins' bpffs or a mount above it (locked); path: the source */
	PC_HOOK_GUARD_CLAIM = 10, /* a process became the guardian (the post was vacant): an audit decision */
	/* Decisions of the rules again, on the hooks that share another's code. */
	PC_HOOK_MPROTECT_EXEC = 11, /* mprotect(PROT_EXEC) of a mapping of a file exec rules deny */
	PC_HOOK_MOVE_MOUNT = 12,    /* move_mount(2): a tree or filesystem of the new mount API attached */
};

enum pc_guard_pin_op {
	PC_GUARD_UNLINK = 1,
	PC_GUARD_RMDIR = 2,
	PC_GUARD_RENAME = 3,
};

/* pc_event.flags */
#define PC_EVENT_PATH_UNREADABLE 1 /* the path could not be read whole: decided fail-closed */
#define PC_EVENT_EXEC_DONE 2 /* decided once the exec completed (sched_process_exec): a denied program is killed */
/*
 * A condition on the process (its executable, its arguments, its cgroup, or no
 * record of it) was unknown, and the decision took the deny side: the deciding
 * rule's condition was possible but not certain, or an `allow` or `except`
 * that would have lifted it was.
 */
#define PC_EVENT_CONDITION_UNKNOWN 4
#define PC_EVENT_DIGEST_KNOWN 8 /* exec hooks: `digest` holds the SHA-256 of the file decided on */
#define PC_EVENT_PATH_MAX PC_PATH_MAX
#define PC_RULE_NONE 0xffffffffu

struct pc_event {
	__u64 generation;
	__u64 cgroup_id;
	__u64 time_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 hook;     /* enum pc_hook */
	__u32 decision; /* enum pc_action: PC_ACTION_DENY or PC_ACTION_AUDIT */
	__u32 rule;     /* index in the generation's rule table, or PC_RULE_NONE */
	__u32 pid;      /* thread id */
	__u32 tgid;     /* process id */
	__u32 uid;
	__u32 capability; /* PC_HOOK_CAPABLE */
	__u32 flags;
	__u32 target;     /* PC_HOOK_GUARD_PTRACE, _SIGNAL: the guardian's process id */
	__u32 detail;     /* PC_HOOK_GUARD_*: as enum pc_hook says */
	char comm[16];
	__u64 mount_flags;              /* PC_HOOK_MOUNT: MS_* flags */
	char fstype[32];                /* PC_HOOK_MOUNT */
	char source[256];               /* PC_HOOK_MOUNT: as given to mount(2) */
	char exe[PC_TASK_TEXT_MAX + 1]; /* the acting task's executable, as its record keeps it ("": unknown or cut) */
	__u8 digest[PC_DIGEST_BYTES];   /* PC_EVENT_DIGEST_KNOWN */
	__u32 path_bytes;               /* how much of `path` the record holds: its text and NUL, 1 to PC_EVENT_PATH_MAX */
	char path[PC_EVENT_PATH_MAX];   /* last, sent up to path_bytes. exec: the program's canonical path (PC_EVENT_PATH_UNREADABLE: its name as the caller sees it, or ""); mount: the target */
};

/* The bytes of a record before its path: every record has them. */
#define PC_EVENT_FIXED_BYTES __builtin_offsetof(struct pc_event, path)

#define PC_EVENT_RING_BYTES (1024 * 1024)
#define PC_EVENT_RATE 20   /* events a second, per rule and CPU */
#define PC_EVENT_BURST 50
#define PC_RATE_SLOTS 4096 /* rules share rate-limit slots beyond this */

/*
 * pc_hits: how many decisions each rule made (denies and audits, reported or
 * rate-limited alike), per CPU, keyed by the rule's key (PC_RULE_KEY_LO/HI),
 * so a rule keeps its count across generations while it stays in its policy.
 */
#define PC_HITS_MAX 65536

/* pc_stats: per-CPU counters, summed by userspace. */
enum pc_stat {
	PC_STAT_EVENTS = 0,            /* events sent */
	PC_STAT_DROPPED_RATE_LIMIT = 1,
	PC_STAT_DROPPED_RING_FULL = 2,
	PC_STAT_COUNT = 4,
};

/*
 * Tamper protection
 * -----------------
 * Our maps can be changed only by the guardian: the daemon's process, known
 * to the kernel by its process id and its group leader's start time
 * (task_struct.start_time, which a reused pid does not repeat). The `lsm/bpf_map`
 * program refuses every other task a descriptor that can write one of our maps
 * (or an image map of any generation, by its name "pc_image_gen"), and any
 * descriptor at all for the maps our programs write (pc_tasks,
 * pc_host_mounts, pc_guard): a BPF program loaded with a read-only descriptor
 * could write those. Reading the rest stays open (status, counters).
 *
 * The post is vacant (tgid 0) until a process asks for such a descriptor:
 * that process becomes the guardian (an audit event, PC_HOOK_GUARD_CLAIM).
 * The daemon claims it at start, by opening pc_guard first; when the
 * guardian's group leader is freed (lsm/task_free) the post is vacant again,
 * so a restarted daemon claims it. Nobody else may ptrace the guardian, read
 * or write its memory, or take its descriptors (pidfd_getfd).
 *
 * Locked (PC_GUARD_LOCKED, set by the daemon once its first generation is in
 * force, for good): the post is never vacant again, nobody but PID 1 signals
 * the guardian, and PID 1 only with SIGTERM (which the daemon heeds only when
 * the system is shutting down) and the SIGCONT systemd sends after it, until the daemon sets PC_GUARD_STOPPING on its
 * way out at shutdown; signal 0 and SIGHUP stay open to all. Nothing under the pin directories can be removed or renamed
 * (their inode numbers are in pin_dirs, on the bpffs s_dev pin_dev), and
 * neither that bpffs nor a mount above it (mount ids in mounts) can be
 * unmounted.
 */
#define PC_GUARD_LOCKED 1u
#define PC_GUARD_STOPPING 2u /* locked, and the system is shutting down: PID 1 may signal the guardian as it will */
#define PC_GUARD_PIN_DIRS 4 /* the root, the ABI directory, maps/, links/ */
#define PC_GUARD_MOUNTS 8   /* the pins' bpffs mount and those above it, up to / */

struct pc_guard {
	__u32 tgid;       /* the guardian's process id; 0: vacant */
	__u32 flags;      /* PC_GUARD_LOCKED, PC_GUARD_STOPPING */
	__u64 start_time; /* its group leader's task_struct.start_time */
	__u64 claims;     /* how many times the post was claimed since the maps were created */
	__u32 pin_dev;    /* s_dev of the bpffs holding the pins (locked) */
	__u32 mount_count;
	__u64 pin_dirs[PC_GUARD_PIN_DIRS];
	__u64 mounts[PC_GUARD_MOUNTS];
};

#endif /* PORTCULLIS_ABI_H */

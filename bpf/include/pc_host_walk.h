/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_host_walk.h: pc_host_path, the walk from a file's dentry up to a mount
 * the host's table lists (pc_host_path.h).
 *
 * A static function, not a global one: the walk reads each directory entry
 * through the hook's typed pointers (plain loads), which a global function
 * cannot take on 6.1 (it takes no kernel pointer: each read was a helper
 * call). Verified at each call site; few call it (the exec and mapping check,
 * the exec's record, the mount hooks).
 */
#ifndef PC_HOST_WALK_H
#define PC_HOST_WALK_H

#include "pc_host_path.h"

struct pc_host_walk {
	struct pc_path_buf *names; /* pc_text_scratch, looked up once */
	struct dentry *dentry;     /* the next directory entry to name */
	__u32 dev;                 /* its filesystem's */
	__u32 pos;                 /* the names so far: pc_text_scratch[pos, PC_HOST_SUFFIX_MAX) */
	__u32 mount_length;        /* found: the mount point's length, at the front of pc_path_scratch */
	int result;                /* 0 while walking; 1 found; PC_HOST_UNREADABLE; PC_HOST_NONE */
	__u32 alias;               /* k > 0: the mount's k-th other host path, when it has one, rather than its mount point */
	__u32 aliases;             /* found: how many other host paths the mount has */
	__u64 ino;                 /* found: the inode number of the mount's root */
	__u64 magic;               /* the filesystem's, when the programs know btrfs (pc_sb_magic): there each directory's device is its subvolume's */
};

/* The mount table's entry for a directory, or NULL: looked up only when the filter has the key's bit. */
static __always_inline struct pc_mount_point *pc_host_mount_of(struct pc_mount_root *key)
{
	__u32 zero = 0, bit = pc_host_filter_bit(key->dev, key->ino);
	struct pc_host_filter *filter = bpf_map_lookup_elem(&pc_host_filter, &zero);
	if (filter && !(filter->words[(bit >> 6) & (PC_HOST_FILTER_WORDS - 1)] & (1ull << (bit & 63))))
		return 0; /* no key has this bit: not a mount's root */
	return bpf_map_lookup_elem(&pc_host_mounts, key);
}

/*
 * Component i: a directory the table lists ends the walk; else its name is
 * prepended. Reads the entry through its typed pointer (a fault reads 0: a
 * NULL parent or inode cannot be, and is unreadable); one helper call for the
 * name, one for the table when the filter has the key.
 */
static long pc_host_step(__u32 i, struct pc_host_walk *w)
{
	__u32 zero = 0;
	struct dentry *d = w->dentry;
	struct dentry *parent = d->d_parent;
	struct inode *inode = d->d_inode;
	if (!parent || !inode) {
		w->result = PC_HOST_UNREADABLE;
		return 1;
	}
	__u32 dev = w->dev;
	if (bpf_core_type_exists(struct btrfs_inode___pc)) { /* else pruned at load: no cost where btrfs is not loaded */
		/* A global function takes the inode's address as a number: read, not cast (a cast stays a pointer). */
		__u64 address = 0;
		bpf_core_read(&address, sizeof(address), &d->d_inode);
		dev = pc_inode_dev(address, dev, w->magic);
		if (!dev) {
			w->result = PC_HOST_UNREADABLE;
			return 1;
		}
	}
	struct pc_mount_root key = { .dev = dev, .ino = inode->i_ino };
	struct pc_mount_point *mount = pc_host_mount_of(&key);
	if (mount) {
		struct pc_path_buf *out = bpf_map_lookup_elem(&pc_path_scratch, &zero);
		__u32 length = mount->length, offset = 0, aliases = mount->aliases;
		if (w->alias && aliases > PC_HOST_ALIASES_MAX) {
			offset = PC_MOUNT_POINT_MAX; /* not stored: cannot be read */
		} else if (w->alias && w->alias <= aliases) {
			const struct pc_mount_alias *alias = &mount->alias[(w->alias - 1) & (PC_HOST_ALIASES_MAX - 1)];
			offset = alias->start;
			length = alias->length;
		}
		w->aliases = aliases;
		if (bpf_core_type_exists(struct btrfs_inode___pc))
			w->dev = dev; /* the subvolume's: the key found */
		w->ino = key.ino;
		if (!out || length >= PC_MOUNT_POINT_MAX || offset >= PC_MOUNT_POINT_MAX ||
		    (length && bpf_probe_read_kernel(out->data, length & (PC_MOUNT_POINT_MAX - 1),
						     mount->path + (offset & (PC_MOUNT_POINT_MAX - 1))))) {
			w->result = PC_HOST_UNREADABLE;
			return 1;
		}
		w->mount_length = length;
		w->result = 1;
		return 1;
	}
	if (parent == d) {
		w->result = PC_HOST_NONE; /* the filesystem's root, and no host mount on the way */
		return 1;
	}
	__u32 length = d->d_name.len;
	const unsigned char *name = d->d_name.name;
	__u32 pos = w->pos;
	struct pc_path_buf *buf = w->names;
	if (!buf || !name || !length || length > 255 || pos < length + 2) {
		w->result = PC_HOST_UNREADABLE;
		return 1;
	}
	pos -= length;
	__u32 size = length;
	barrier_var(size); /* keep the mask: the verifier loses the bound checked above */
	size &= 255;
	if (bpf_probe_read_kernel(buf->data + (pos & (PC_HOST_SUFFIX_MAX - 1)), size, name)) {
		w->result = PC_HOST_UNREADABLE;
		return 1;
	}
	pos -= 1;
	buf->data[pos & (PC_HOST_SUFFIX_MAX - 1)] = '/';
	w->pos = pos;
	w->dentry = parent;
	return 0;
}

/*
 * Writes the host path of dentry `d` to the per-CPU pc_path_scratch,
 * NUL-terminated, and returns its length with, in the bits from
 * PC_HOST_ALIASES_SHIFT up, how many other host paths the mount the walk ends
 * at has (see "Host paths" in portcullis_abi.h; read both with PC_HOST_LENGTH
 * and PC_HOST_ALIASES); or PC_HOST_UNREADABLE, or PC_HOST_NONE. Uses
 * pc_text_scratch as it goes, and leaves there the path below the mount, and
 * in pc_host_found_scratch where the walk ended. Linear in the path's length:
 * a few loads and one name per component, a table lookup where the filter
 * has the directory. `alias` k > 0: the path under that mount's k-th other
 * host path when it has one, the same path when it has fewer than k,
 * PC_HOST_UNREADABLE when it has more than the table stores.
 */
static __noinline int pc_host_path(struct dentry *d, __u32 alias)
{
	__u32 zero = 0;
	if (!d)
		return PC_HOST_UNREADABLE;
	struct super_block *sb = d->d_sb;
	if (!sb)
		return PC_HOST_UNREADABLE;
	struct pc_host_walk w = {
		.names = bpf_map_lookup_elem(&pc_text_scratch, &zero),
		.dentry = d,
		.dev = sb->s_dev,
		.pos = PC_HOST_SUFFIX_MAX,
		.alias = alias,
		.magic = bpf_core_type_exists(struct btrfs_inode___pc) ? sb->s_magic : 0,
	};
	bpf_loop(PC_HOST_DEPTH_MAX, pc_host_step, &w, 0);
	if (w.result != 1)
		return w.result ? w.result : PC_HOST_UNREADABLE; /* deeper than PC_HOST_DEPTH_MAX */
	struct pc_path_buf *out = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	struct pc_host_found *found = bpf_map_lookup_elem(&pc_host_found_scratch, &zero);
	if (!out || !buf || !found)
		return PC_HOST_UNREADABLE;
	__u32 mount = w.mount_length & (PC_MOUNT_POINT_MAX - 1);
	__u32 pos = w.pos & (PC_HOST_SUFFIX_MAX - 1);
	found->root.dev = w.dev;
	found->root.pad = 0;
	found->root.ino = w.ino;
	found->mount_length = mount;
	found->suffix_at = pos;
	found->aliases = w.aliases & 0xff;
	__u32 suffix = (PC_HOST_SUFFIX_MAX - pos) & (PC_HOST_SUFFIX_MAX - 1);
	if (suffix && bpf_probe_read_kernel(out->data + mount, suffix, buf->data + pos))
		return PC_HOST_UNREADABLE;
	__u32 length = mount + suffix;
	if (!length) {
		out->data[0] = '/'; /* the root directory itself */
		length = 1;
	}
	out->data[length & (PC_PATH_MAX - 1)] = 0;
	return length | (w.aliases & 0xff) << PC_HOST_ALIASES_SHIFT;
}

#endif /* PC_HOST_WALK_H */

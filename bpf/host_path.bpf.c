// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * host_path.bpf.c: a file's path on the host, from its dentry up to the root
 * of a mount the host's mount table lists (pc_host_mounts, kept by the
 * daemon), so a chroot, a private mount namespace, a bind mount, a detached
 * tree or a lazily unmounted mount shows the same file under the same path.
 */
#include "pc_kernel.h"
#include <bpf/bpf_core_read.h>
#include "pc_host_path.h"

struct pc_host_walk {
	struct pc_path_buf *names; /* pc_text_scratch, looked up once */
	__u64 dentry;          /* the next directory entry to name */
	__u32 dev;             /* its filesystem's */
	__u32 pos;             /* the names so far: pc_text_scratch[pos, PC_HOST_SUFFIX_MAX) */
	__u32 mount_length;    /* found: the mount point's length, at the front of pc_path_scratch */
	int result;            /* 0 while walking; 1 found; PC_HOST_UNREADABLE; PC_HOST_NONE */
	__u32 alias;           /* k > 0: the mount's k-th other host path, when it has one, rather than its mount point */
	__u32 aliases;         /* found: how many other host paths the mount has */
	__u64 ino;             /* found: the inode number of the mount's root */
	__u64 magic;           /* the filesystem's, when the programs know btrfs (pc_sb_magic): there each directory's device is its subvolume's */
};


__noinline __u32 pc_inode_dev(__u64 inode, __u32 sb_dev, __u64 magic)
{
	if (!bpf_core_type_exists(struct btrfs_inode___pc) || magic != PC_BTRFS_SUPER_MAGIC)
		return sb_dev;
	struct btrfs_inode___pc *subvolume_inode =
		(void *)inode - bpf_core_field_offset(struct btrfs_inode___pc, vfs_inode);
	return BPF_CORE_READ(subvolume_inode, root, anon_dev);
}

__noinline __u32 pc_file_dev(__u64 inode)
{
	struct super_block *sb = BPF_CORE_READ((struct inode *)inode, i_sb);
	return pc_inode_dev(inode, BPF_CORE_READ(sb, s_dev), pc_sb_magic(sb));
}

/*
 * What a step reads of a directory entry: its parent, its name's length and
 * address, its inode. The kernel keeps them together (d_parent, d_name,
 * d_inode), so one read of PC_DENTRY_SPAN bytes from d_parent takes them all,
 * at the offsets CO-RE gives; on a kernel where they lie apart, each is read
 * on its own. (A read is a helper call: the walk's main cost.)
 */
#define PC_DENTRY_SPAN 32
#define PC_DENTRY_AT(field) (bpf_core_field_offset(struct dentry, field) - bpf_core_field_offset(struct dentry, d_parent))

struct pc_dentry_fields {
	__u64 parent;
	__u64 name;
	__u64 inode;
	__u32 length;
};

static __always_inline int pc_dentry_read(struct dentry *d, struct pc_dentry_fields *f)
{
	__u32 parent_at = bpf_core_field_offset(struct dentry, d_parent);
	__u32 length_at = PC_DENTRY_AT(d_name.len), name_at = PC_DENTRY_AT(d_name.name), inode_at = PC_DENTRY_AT(d_inode);
	if (length_at + 4 <= PC_DENTRY_SPAN && name_at + 8 <= PC_DENTRY_SPAN && inode_at + 8 <= PC_DENTRY_SPAN) {
		__u8 span[PC_DENTRY_SPAN];
		if (bpf_probe_read_kernel(span, sizeof(span), (void *)d + parent_at))
			return -1;
		__builtin_memcpy(&f->parent, span, 8);
		__builtin_memcpy(&f->length, span + length_at, 4);
		__builtin_memcpy(&f->name, span + name_at, 8);
		__builtin_memcpy(&f->inode, span + inode_at, 8);
		return 0;
	}
	f->parent = (__u64)BPF_CORE_READ(d, d_parent);
	f->length = BPF_CORE_READ(d, d_name.len);
	f->name = (__u64)BPF_CORE_READ(d, d_name.name);
	f->inode = (__u64)BPF_CORE_READ(d, d_inode);
	return 0;
}

/* Component i: a directory the table lists ends the walk; else its name is prepended. */
static long pc_host_step(__u32 i, struct pc_host_walk *w)
{
	__u32 zero = 0;
	struct dentry *d = (struct dentry *)w->dentry;
	struct pc_dentry_fields f;
	struct inode *inode;
	if (pc_dentry_read(d, &f) || !(inode = (struct inode *)f.inode)) {
		w->result = PC_HOST_UNREADABLE;
		return 1;
	}
	__u32 dev = w->dev;
	if (bpf_core_type_exists(struct btrfs_inode___pc)) { /* else pruned at load: no cost where btrfs is not loaded */
		dev = pc_inode_dev(f.inode, dev, w->magic);
		if (!dev) {
			w->result = PC_HOST_UNREADABLE;
			return 1;
		}
	}
	struct pc_mount_root key = { .dev = dev, .ino = BPF_CORE_READ(inode, i_ino) };
	struct pc_mount_point *mount = bpf_map_lookup_elem(&pc_host_mounts, &key);
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
	struct dentry *parent = (struct dentry *)f.parent;
	if (!parent || parent == d) {
		w->result = PC_HOST_NONE; /* the filesystem's root, and no host mount on the way */
		return 1;
	}
	__u32 length = f.length;
	const unsigned char *name = (const unsigned char *)f.name;
	__u32 pos = w->pos;
	struct pc_path_buf *buf = w->names;
	if (!buf || !length || length > 255 || pos < length + 2) {
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
	w->dentry = (__u64)parent;
	return 0;
}

__noinline int pc_host_path(__u64 dentry, __u32 alias)
{
	__u32 zero = 0;
	struct dentry *d = (struct dentry *)dentry;
	if (!d)
		return PC_HOST_UNREADABLE;
	struct super_block *sb = BPF_CORE_READ(d, d_sb);
	struct pc_host_walk w = {
		.names = bpf_map_lookup_elem(&pc_text_scratch, &zero),
		.dentry = dentry,
		.dev = BPF_CORE_READ(sb, s_dev),
		.pos = PC_HOST_SUFFIX_MAX,
		.alias = alias,
		.magic = pc_sb_magic(sb),
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

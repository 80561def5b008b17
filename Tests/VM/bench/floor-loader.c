// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor-loader.c: loads and attaches every program of a BPF object (the floor
 * of scripts/bench-hooks), prints "floor: attached", and keeps the links until
 * it is killed. Each PIN, a pin of portcullis' maps (pc_image, pc_summary),
 * stands for the object's map of the same name, opened read-only: the parts
 * floor walks the image in force and asks the summary what it needs, as ours
 * do. usage: floor-loader OBJECT [PIN...]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libgen.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [PIN...]\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("floor: open");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		LIBBPF_OPTS(bpf_obj_get_opts, readonly, .file_flags = BPF_F_RDONLY);
		int fd = bpf_obj_get_opts(argv[i], &readonly);
		const char *name = basename(argv[i]);
		struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
		if (fd < 0 || !map || bpf_map__reuse_fd(map, fd)) {
			fprintf(stderr, "floor: cannot use %s as %s\n", argv[i], name);
			return 1;
		}
	}
	if (bpf_object__load(obj)) {
		perror("floor: load");
		return 1;
	}
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "floor: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
	}
	printf("floor: attached\n");
	fflush(stdout);
	for (;;)
		pause();
}

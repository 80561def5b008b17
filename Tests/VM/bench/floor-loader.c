// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor-loader.c: loads and attaches every program of a BPF object (the floor
 * of scripts/bench-hooks), prints "floor: attached", and keeps the links until
 * it is killed. With IMAGE, the pin of portcullis' pc_image, the object's map
 * of that name is that map, opened read-only (the parts floor walks the image
 * in force). usage: floor-loader OBJECT [IMAGE]
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s OBJECT [IMAGE]\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror("floor: open");
		return 1;
	}
	if (argc == 3) {
		LIBBPF_OPTS(bpf_obj_get_opts, readonly, .file_flags = BPF_F_RDONLY);
		int fd = bpf_obj_get_opts(argv[2], &readonly);
		struct bpf_map *image = bpf_object__find_map_by_name(obj, "pc_image");
		if (fd < 0 || !image || bpf_map__reuse_fd(image, fd)) {
			fprintf(stderr, "floor: cannot use %s as pc_image\n", argv[2]);
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

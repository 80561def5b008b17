/* libFuzzer's driver, when the program is linked with -sanitize=fuzzer. */
#ifndef PORTCULLIS_FUZZ_DRIVER_H
#define PORTCULLIS_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

typedef int (*pc_fuzz_target)(const uint8_t *data, size_t size);

/* Runs libFuzzer on `target` with the program's arguments; -1 when the
 * program was built without libFuzzer. */
int pc_fuzz_run(int *argc, char ***argv, pc_fuzz_target target);
#endif

#include "fuzz_driver.h"

/* Weak: present only in a -sanitize=fuzzer build (libclang_rt.fuzzer). */
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, pc_fuzz_target target) __attribute__((weak));

int pc_fuzz_run(int *argc, char ***argv, pc_fuzz_target target)
{
	if (!LLVMFuzzerRunDriver)
		return -1;
	return LLVMFuzzerRunDriver(argc, argv, target);
}

/* The ABI target is header-only; SwiftPM wants one source file. */
#include "portcullis_abi.h"

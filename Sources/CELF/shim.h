/* libelf, as Swift sees it (Debian: libelf-dev, which libbpf needs too): the
 * program headers and dynamic sections of the host's critical programs. */
#ifndef CELF_SHIM_H
#define CELF_SHIM_H
#include <gelf.h>
#endif

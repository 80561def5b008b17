/* libbpf, as Swift sees it (Debian: libbpf-dev). */
#ifndef CBPF_SHIM_H
#define CBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>
#endif

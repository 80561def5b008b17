/* Linux interfaces Swift's Glibc module leaves out: epoll(7). */
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
#include <sys/epoll.h>
#endif

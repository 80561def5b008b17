/* Linux and glibc interfaces Swift's Glibc module leaves out: epoll(7), malloc_trim(3), signalfd(2). */
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#endif

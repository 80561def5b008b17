// The system libgcrypt (Debian libgcrypt20-dev, pkg-config libgcrypt), for
// PortcullisGeneration: the SHA-256 of the files exec rules name by path and of
// each image. libsystemd links it already, so it costs the daemon no library
// of its own.
#ifndef PORTCULLIS_CGCRYPT_SHIM_H
#define PORTCULLIS_CGCRYPT_SHIM_H
#include <gcrypt.h>
#endif

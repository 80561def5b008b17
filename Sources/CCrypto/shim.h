// The system libcrypto (Debian libssl-dev, pkg-config libcrypto), for
// PortcullisDaemon: the SHA-256 of the files exec rules name by path.
#ifndef PORTCULLIS_CCRYPTO_SHIM_H
#define PORTCULLIS_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif

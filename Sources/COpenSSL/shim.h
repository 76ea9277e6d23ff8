#ifndef SCANGATE_COPENSSL_SHIM_H
#define SCANGATE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/x509.h>
#include <openssl/ec.h>

/// The OpenSSL version the process runs on, e.g. "OpenSSL 3.0.19 27 Jan 2026".
static inline const char *scangate_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }
#endif

#ifndef SCANGATE_CZLIB_SHIM_H
#define SCANGATE_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros: Swift cannot call them directly.
static inline int scangate_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
// A bare deflate stream: the same compressed data as the gzip stream, without its header, trailer
// and CRC-32 (the size of a gzip stream is this plus the fixed 18 bytes of those).
static inline int scangate_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
static inline int scangate_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif

#ifndef SCANGATE_CCURL_SHIM_H
#define SCANGATE_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them directly.
static inline CURLcode scangate_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode scangate_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode scangate_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode scangate_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
/// The version of the libcurl loaded at run time, e.g. "7.88.1".
static inline const char *scangate_curl_runtime_version(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info ? info->version : 0;
}
/// The libcurl version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13".
static inline const char *scangate_curl_version(void) { return curl_version(); }
/// Sets a data callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION).
static inline CURLcode scangate_curl_setopt_write_callback(CURL *handle, CURLoption option,
                                                           curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
/// Sets a curl_off_t option (CURLOPT_POSTFIELDSIZE_LARGE, CURLOPT_MAXFILESIZE_LARGE).
static inline CURLcode scangate_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
#endif

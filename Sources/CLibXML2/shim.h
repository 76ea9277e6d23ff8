#ifndef SCANGATE_CLIBXML2_SHIM_H
#define SCANGATE_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, so encoding.h would pull in the system's <unicode/*.h>,
// whose types clash with Foundation's bundled ICU when both modules meet in one build
// ("'UErrorCode' has different definitions in different modules"). ScanGate never touches the
// ICU-only fields (two pointers at the end of xmlCharEncodingHandler), so hide them.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

// xmlFree is a global function pointer; Swift 6 rejects it as not concurrency-safe.
static inline void scangate_xml_free(void *pointer) { xmlFree(pointer); }
/// The libxml2 version the process runs on, e.g. "20914".
static inline const char *scangate_xml_parser_version(void) { return xmlParserVersion; }
#endif

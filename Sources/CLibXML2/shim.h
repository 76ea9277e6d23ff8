#ifndef SCANGATE_CLIBXML2_SHIM_H
#define SCANGATE_CLIBXML2_SHIM_H
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

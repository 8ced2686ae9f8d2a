/* JSON in requests: strict parsing (no duplicate keys, bounded nesting) and
 * field validation helpers that report what is wrong in words a client can
 * act on. */
#ifndef QLVB_JSONX_H
#define QLVB_JSONX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define JSONX_MAX_DEPTH 32

struct arena;

/* Parses buf (len bytes) into an object or array. On failure returns NULL
 * and sets *err to a short message allocated in a. The result is released
 * with the arena. */
/* The same, its error in Vietnamese unless english. */
json_t *jsonx_parse_strict_lang(struct arena *a, const char *buf, size_t len, bool english, const char **err);
json_t *jsonx_parse_strict(struct arena *a, const char *buf, size_t len,
                          const char **err);

/* Nesting depth of a JSON text, scanning brackets outside strings. */
int jsonx_depth(const char *buf, size_t len);

/* Returns the first key of obj not in the NULL-terminated list, or NULL. */
const char *jsonx_unknown_key(json_t *obj, const char *const allowed[]);

/* A required or optional string field, trimmed of nothing, length in
 * characters (UTF-8 code points) between min and max. Returns false and sets
 * *err when the field is present but wrong, or missing when required. */
bool jsonx_get_str(struct arena *a, json_t *obj, const char *key, bool required,
                  size_t min, size_t max, const char **out, const char **err);

/* A JSON value as compact text in the arena. */
const char *jsonx_text(struct arena *a, json_t *j);

/* Number of UTF-8 code points, or -1 when s is not valid UTF-8. */
long jsonx_utf8_length(const char *s);

#endif

/* Request bodies checked against a field table before anything is written:
 * unknown fields refused (server-owned ones named as such), types, lengths,
 * ranges, enums, dates. The tables themselves are in schemas.c, one for each
 * request schema of mobile-spec/openapi.yaml. */
#ifndef QLVB_API_VALIDATE_H
#define QLVB_API_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>

struct req;

enum field_type { F_STR, F_INT, F_DATE, F_TIME, F_ENUM, F_ARRAY, F_ID, F_BOOL, F_CODES };

/* F_CODES: an array of catalogue codes, each a string of 1 to CODE_MAX
 * characters (the catalogue itself is checked in SQL). */
#define CODE_MAX 10

struct field {
    const char *name;
    enum field_type type;
    bool required;
    long min, max;                 /* length (STR), value (INT), items (ARRAY, CODES) */
    const char *const *values;     /* F_ENUM */
    const struct field *items;     /* F_ARRAY of objects: their fields, NULL-name ended;
                                      NULL: an array of positive integer ids */
};

/* Checks obj against fields; on the first problem answers 400 and returns
 * false. */
bool validate_or_answer(struct req *r, json_t *obj, const struct field *fields);

/* The body as an object valid against fields, or NULL after answering. */
json_t *body_valid_or_answer(struct req *r, const struct field *fields);

/* The query parameter limit as an integer from 1 to max (def when it is
 * absent); false after answering 400 when it is anything else. */
bool limit_or_answer(struct req *r, int def, int max, int *out);
/* A page of a list ordered by id: the cursor parameter (NULL: the first
 * page; else the id it names, as text) and the limit (as text), or answers
 * 400 and returns false. */
bool page_or_answer(struct req *r, int def, int max, const char **after, const char **limit);

bool valid_date(const char *s);      /* YYYY-MM-DD, a real date */
bool valid_time(const char *s);      /* RFC 3339 with offset */

#endif

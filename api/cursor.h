/* The inbox's page cursor, opaque to clients: base64url (no padding) of
 * "micros_id", the updated_at (microseconds since the epoch) and id of the
 * last item of a page, as the API gave it (INBOX_LIST). */
#ifndef QLVB_API_CURSOR_H
#define QLVB_API_CURSOR_H

#include <stdbool.h>

struct arena;

/* Splits a cursor into a timestamptz literal (UTC, in a) and the id's
 * digits; false when it is not a cursor this API gives: base64url of two
 * runs of 1 to 18 digits joined by one '_'. */
bool cursor_parse(struct arena *a, const char *opaque, const char **ts, const char **id);

/* The cursor of a list ordered by id (search, tasks): base64url (no
 * padding) of "i" and the last id shown (cursor_id in SQL); its digits, or
 * false when it is not one this API gives. */
bool cursor_parse_id(struct arena *a, const char *opaque, const char **id);
#endif

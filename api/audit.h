/* The append-only audit log: who did what, when, from where. */
#ifndef QLVB_API_AUDIT_H
#define QLVB_API_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

struct req;

/* Writes one audit row inside the current transaction (or alone). detail is
 * a JSON text or NULL. user_id 0 means nobody signed in. */
bool audit(struct req *r, int64_t user_id, const char *action, const char *object_type,
           int64_t object_id, const char *detail);

#endif

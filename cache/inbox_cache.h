/* The inbox version cache: each user's inbox version (the ETag of their
 * inbox pages) kept in Redis, so that a phone polling with If-None-Match is
 * answered 304 without PostgreSQL. A transaction that may move inbox items
 * is tracked: after it commits, the versions of the inboxes it touched are
 * dropped. */
#ifndef QLVB_CACHE_INBOX_H
#define QLVB_CACHE_INBOX_H

#include <stdint.h>

struct ctx;

/* Call right after db_begin: before the COMMIT, reads whose inboxes the
 * transaction touched; after it, drops their cached versions. */
void inbox_cache_track(struct ctx *c);

/* The cached version of a user's inbox, or NULL. */
const char *inbox_cache_version(struct ctx *c, int64_t user_id);
void inbox_cache_store(struct ctx *c, int64_t user_id, const char *version);

#endif

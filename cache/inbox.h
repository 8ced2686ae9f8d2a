/* The inbox version cache: each user's inbox version (the ETag of their
 * inbox pages) kept in Redis, so that a phone polling with If-None-Match is
 * answered 304 without PostgreSQL. Writers drop the versions of the inboxes
 * their transaction touched, right after it commits. */
#ifndef QLVB_CACHE_INBOX_H
#define QLVB_CACHE_INBOX_H

#include <stdbool.h>
#include <stdint.h>

struct req;

/* Commits the open transaction, then drops the cached versions of every
 * inbox it touched. False when the commit failed. */
bool inbox_commit(struct req *r);

/* The cached version of a user's inbox, or NULL. */
const char *inbox_version_cached(struct req *r, int64_t user_id);
void inbox_version_store(struct req *r, int64_t user_id, const char *version);

#endif

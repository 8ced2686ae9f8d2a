/* The inbox state cache: what a user's inbox ETag is made of (the inbox
 * version, the number of thresholds its open items have crossed (the start
 * of the due-soon band, the deadline), and the instant
 * the next one is crossed), kept in Redis so that a phone polling with
 * If-None-Match is answered 304 without PostgreSQL. A cached state is used
 * only until its next deadline passes on the one clock. Writes never go
 * backwards: a state older than the one Redis holds is not stored, so a slow
 * reader cannot put back what a writer replaced. */
#ifndef QLVB_CACHE_INBOX_H
#define QLVB_CACHE_INBOX_H

#include <stdbool.h>
#include <stdint.h>

struct ctx;

struct inbox_state {
    long long version;
    long long crossed;            /* thresholds crossed by open items: due-soon starts, deadlines */
    long long next_deadline_us;   /* when the next one passes; 0: none */
};

/* Call right after db_begin: before the COMMIT, reads whose inboxes the
 * transaction touched; after it, stores their new states. */
void inbox_cache_track(struct ctx *c);

/* The user's inbox state: from Redis while it is current, else from
 * PostgreSQL (and stored). False when PostgreSQL cannot answer. */
bool inbox_cache_state(struct ctx *c, int64_t user_id, struct inbox_state *out);

#endif

/* Redis: one connection per thread, opened lazily, with connect and command
 * timeouts of tens of milliseconds. After a failure the thread leaves Redis
 * alone for cfg.redis_backoff_ms and callers answer from PostgreSQL. Redis
 * holds only what can be rebuilt from PostgreSQL. */
#ifndef QLVB_CACHE_H
#define QLVB_CACHE_H

#include <hiredis/hiredis.h>
#include <stdbool.h>

struct req;

/* Runs a command; the reply is released with the request. NULL when Redis
 * is away (or answered an error). */
redisReply *cache_cmd(struct req *r, const char *fmt, ...);
/* Runs several commands in one round trip; replies[] filled or NULL. */
bool cache_pipeline(struct req *r, int n, const char *const cmds[], redisReply *replies[]);

/* True when this thread is not in its back-off after a failure. */
bool cache_usable(void);
/* PING, bypassing nothing: for health. */
bool cache_ping(struct req *r);

/* Called right after each new connection, so that state that must be in
 * Redis (revoked sessions) is put back after Redis was empty or missed writes. */
void cache_set_on_connect(void (*fn)(struct req *r));

void cache_close(void);

#endif

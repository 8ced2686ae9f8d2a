/* Redis: one connection per thread, opened lazily, with connect and command
 * timeouts of tens of milliseconds. After a failure the thread leaves Redis
 * alone for cfg.redis_backoff_ms and callers answer from PostgreSQL. Redis
 * holds only what can be rebuilt from PostgreSQL. */
#ifndef QLVB_REDIS_H
#define QLVB_REDIS_H

#include <hiredis/hiredis.h>
#include <stdbool.h>

#include "ctx.h"

/* Runs a command; the reply is released with the context's arena. NULL
 * when Redis is away (or answered an error). */
redisReply *redis_cmd(struct ctx *c, const char *fmt, ...);
/* PING: for health. */
bool redis_ping(struct ctx *c);

/* Called right after each new connection, so that state that must be in
 * Redis is put back after Redis was empty or missed writes; a hook that
 * cannot do it calls redis_close, and the connection is not used. */
void redis_set_on_connect(void (*fn)(struct ctx *c));

/* Closes this thread's connection (at thread end, or when not trusted). */
void redis_close(void);
/* After a unit of work left midway (past its arena's limit, arena.h): a
 * connection it was still filling through the on-connect hook is closed,
 * never trusted. Replies themselves never leave a connection midway. */
void redis_abandoned(void);

#endif

/* Redis connections: see redis.h. */
#include "redis.h"
#include "arena.h"
#include "config.h"
#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static __thread redisContext *ctx;
static __thread long long down_until_us;
static __thread bool in_on_connect;
static void (*on_connect)(struct ctx *c);

void redis_set_on_connect(void (*fn)(struct ctx *c))
{
    on_connect = fn;
}

static void fail(struct ctx *c, const char *why)
{
    log_warn(c ? c->request_id : NULL, "msg=\"redis unavailable\" reason=\"%s\" pause_ms=%d",
             why, cfg.redis_backoff_ms);
    if (ctx)
        redisFree(ctx);
    ctx = NULL;
    down_until_us = now_us() + (long long)cfg.redis_backoff_ms * 1000;
}

static bool ensure(struct ctx *c)
{
    if (ctx)
        return true;
    if (now_us() < down_until_us)
        return false;
    struct timeval tv = { .tv_sec = cfg.redis_timeout_ms / 1000,
                          .tv_usec = (cfg.redis_timeout_ms % 1000) * 1000 };
    const char *u = cfg.redis_url;
    if (strncmp(u, "unix:", 5) == 0) {
        const char *path = u + 5;
        while (path[0] == '/' && path[1] == '/')
            path++;
        ctx = redisConnectUnixWithTimeout(path, tv);
    } else {
        char host[256];
        int port = 6379;
        const char *hp = strncmp(u, "redis://", 8) == 0 ? u + 8 : u;
        const char *colon = strrchr(hp, ':');
        size_t hl = colon ? (size_t)(colon - hp) : strlen(hp);
        if (hl >= sizeof host)
            hl = sizeof host - 1;
        memcpy(host, hp, hl);
        host[hl] = '\0';
        if (colon)
            port = atoi(colon + 1);
        ctx = redisConnectWithTimeout(host, port, tv);
    }
    if (!ctx || ctx->err) {
        fail(c, ctx ? ctx->errstr : "cannot allocate context");
        return false;
    }
    redisSetTimeout(ctx, tv);
    if (on_connect && !in_on_connect) {
        in_on_connect = true;
        on_connect(c);
        in_on_connect = false;
    }
    return ctx != NULL;
}

static void release_reply(void *p)
{
    freeReplyObject(p);
}

redisReply *redis_cmd(struct ctx *c, const char *fmt, ...)
{
    if (!ensure(c))
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    redisReply *rep = redisvCommand(ctx, fmt, ap);
    va_end(ap);
    if (!rep) {
        fail(c, ctx->errstr);
        return NULL;
    }
    arena_defer(c->a, release_reply, rep);
    if (rep->type == REDIS_REPLY_ERROR) {
        log_warn(c->request_id, "msg=\"redis error reply\" error=\"%.120s\"", rep->str);
        return NULL;
    }
    return rep;
}

bool redis_ping(struct ctx *c)
{
    redisReply *rep = redis_cmd(c, "PING");
    return rep && rep->type == REDIS_REPLY_STATUS;
}

void redis_close(void)
{
    if (ctx)
        redisFree(ctx);
    ctx = NULL;
}

void redis_abandoned(void)
{
    if (!in_on_connect)
        return;
    in_on_connect = false;
    redis_close();
}

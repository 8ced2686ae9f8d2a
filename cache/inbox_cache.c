/* The inbox state cache: see inbox_cache.h. A key lives 60 s at most, which
 * bounds how long a write missed while Redis was away can matter. */
#include "inbox_cache.h"
#include "../fcgi/arena.h"
#include "../fcgi/clock.h"
#include "../fcgi/db.h"
#include "../fcgi/redis.h"
#include "../sql/statements.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_TTL 60

/* SET the key unless Redis holds a higher version: versions only grow. */
static const char set_if_newer[] =
    "local c = redis.call('GET', KEYS[1]) "
    "if c then local v = tonumber(string.match(c, '^(%d+)')) "
    "  if v and v > tonumber(ARGV[1]) then return 0 end end "
    "redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1";

static void store(struct ctx *c, int64_t user_id, const struct inbox_state *s)
{
    char key[48], version[24], value[80], ttl[16];
    snprintf(key, sizeof key, "qlvb:inbox:%lld", (long long)user_id);
    snprintf(version, sizeof version, "%lld", s->version);
    snprintf(value, sizeof value, "%lld %lld %lld", s->version, s->crossed, s->next_deadline_us);
    snprintf(ttl, sizeof ttl, "%d", STATE_TTL);
    redis_cmd(c, "EVAL %s 1 %s %s %s %s", set_if_newer, key, version, value, ttl);
}

static void state_of_row(PGresult *res, int row, struct inbox_state *s)
{
    s->version = db_ll(res, row, 1);
    s->crossed = db_ll(res, row, 2);
    s->next_deadline_us = db_ll(res, row, 3);
}

/* After the commit: the touched users' states as PostgreSQL now has them. */
static void store_touched(struct ctx *c, void *arg)
{
    PGresult *res = DB_RUN(c, INBOX_STATES, (const char *)arg);
    for (int i = 0; res && i < PQntuples(res); i++) {
        struct inbox_state s;
        state_of_row(res, i, &s);
        store(c, db_ll(res, i, 0), &s);
    }
}

/* Before the commit: "0,12,7,12" -> the array "{0,12,7,12}" for after it. */
static bool read_touched(struct ctx *c, void *arg)
{
    (void)arg;
    PGresult *res = DB_RUN0(c, INBOX_TOUCHED);
    if (!res)
        return false;
    const char *list = db_val(res, 0, 0);
    if (list && *list)
        db_after_commit(c, store_touched, arena_sprintf(c->a, "{%s}", list));
    return true;
}

void inbox_cache_track(struct ctx *c)
{
    db_before_commit(c, read_touched, NULL);
}

bool inbox_cache_state(struct ctx *c, int64_t user_id, struct inbox_state *out)
{
    redisReply *rep = redis_cmd(c, "GET qlvb:inbox:%lld", (long long)user_id);
    if (rep && rep->type == REDIS_REPLY_STRING &&
        sscanf(rep->str, "%lld %lld %lld", &out->version, &out->crossed, &out->next_deadline_us) == 3 &&
        (out->next_deadline_us == 0 || clock_now_us() < out->next_deadline_us))
        return true;
    PGresult *res = DB_RUN(c, INBOX_STATES, arena_sprintf(c->a, "{%lld}", (long long)user_id));
    if (!res || PQntuples(res) != 1)
        return false;
    state_of_row(res, 0, out);
    store(c, user_id, out);
    return true;
}

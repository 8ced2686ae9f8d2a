/* The inbox version cache: see inbox_cache.h. A version lives 60 s at most,
 * which bounds how long a drop missed while Redis was away can matter. */
#include "inbox_cache.h"
#include "../fcgi/arena.h"
#include "../fcgi/db.h"
#include "../fcgi/redis.h"
#include "../sql/statements.h"

#include <stdlib.h>
#include <string.h>

#define VERSION_TTL 60

/* "0,12,7,12": the users whose inboxes the transaction touched. */
static void drop_versions(struct ctx *c, void *arg)
{
    const char *p = arg;
    while (*p) {
        char *end;
        long long uid = strtoll(p, &end, 10);
        if (uid > 0)
            redis_cmd(c, "DEL qlvb:inboxv:%lld", uid);   /* DEL is idempotent */
        p = *end == ',' ? end + 1 : end + strlen(end);
    }
}

static bool read_touched(struct ctx *c, void *arg)
{
    (void)arg;
    PGresult *res = DB_RUN0(c, INBOX_TOUCHED);
    if (!res)
        return false;
    const char *list = db_val(res, 0, 0);
    if (list && *list)
        db_after_commit(c, drop_versions, arena_strdup(c->a, list));
    return true;
}

void inbox_cache_track(struct ctx *c)
{
    db_before_commit(c, read_touched, NULL);
}

const char *inbox_cache_version(struct ctx *c, int64_t user_id)
{
    redisReply *rep = redis_cmd(c, "GET qlvb:inboxv:%lld", (long long)user_id);
    return rep && rep->type == REDIS_REPLY_STRING ? arena_strndup(c->a, rep->str, rep->len) : NULL;
}

void inbox_cache_store(struct ctx *c, int64_t user_id, const char *version)
{
    redis_cmd(c, "SET qlvb:inboxv:%lld %s EX %d", (long long)user_id, version, VERSION_TTL);
}

/* The inbox version cache: see inbox.h. A version lives 60 s at most, which
 * bounds how long a drop missed while Redis was away can matter. */
#include "inbox.h"
#include "cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"

#include <stdlib.h>
#include <string.h>

#define VERSION_TTL 60

bool inbox_commit(struct req *r)
{
    PGresult *res = db_exec(r, "inbox_touched", 0, NULL);
    if (!res)
        return false;
    const char *list = arena_strdup(r->a, db_val(res, 0, 0) ? db_val(res, 0, 0) : "");
    if (!db_commit(r))
        return false;
    /* "0,12,7,12": drop each once is not worth sorting; DEL is idempotent */
    const char *p = list;
    while (*p) {
        char *end;
        long long uid = strtoll(p, &end, 10);
        if (uid > 0)
            cache_cmd(r, "DEL qlvb:inboxv:%lld", uid);
        p = *end == ',' ? end + 1 : end + strlen(end);
    }
    return true;
}

const char *inbox_version_cached(struct req *r, int64_t user_id)
{
    redisReply *rep = cache_cmd(r, "GET qlvb:inboxv:%lld", (long long)user_id);
    return rep && rep->type == REDIS_REPLY_STRING ? arena_strndup(r->a, rep->str, rep->len) : NULL;
}

void inbox_version_store(struct req *r, int64_t user_id, const char *version)
{
    cache_cmd(r, "SET qlvb:inboxv:%lld %s EX %d", (long long)user_id, version, VERSION_TTL);
}

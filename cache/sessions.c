/* Ended sign-ins in Redis: see sessions.h. */
#include "sessions.h"
#include "../fcgi/config.h"
#include "../fcgi/jwt.h"
#include "../fcgi/redis.h"

bool sessions_revoked_mirror(struct ctx *c, int64_t sid)
{
    if (redis_cmd(c, "SET qlvb:revoked:%lld 1 EX %d", (long long)sid, cfg.access_ttl + JWT_LEEWAY))
        return true;
    redis_cmd(c, "DEL qlvb:security:ready");
    return false;
}

/* GET /api/v1/health: 200 with PostgreSQL and Redis up, 200 "degraded"
 * with Redis away (everything still answers from PostgreSQL), 503 with
 * Retry-After when PostgreSQL is away. */
#include "health.h"
#include "../cache/cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"

int health_get(struct req *r)
{
    bool pg = db_ping(r);
    bool redis = cache_ping(r);
    json_t *checks = json_object();
    json_object_set_new(checks, "postgresql", json_string(pg ? "up" : "down"));
    json_object_set_new(checks, "redis", json_string(redis ? "up" : "down"));
    if (!pg) {
        json_t *ext = json_object();
        json_object_set_new(ext, "checks", checks);
        resp_header(r, "Retry-After", "5");
        return api_error_ext(r, 503, "database-unavailable", "PostgreSQL cannot be reached", ext);
    }
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(redis ? "ok" : "degraded"));
    json_object_set_new(o, "checks", checks);
    return api_json(r, 200, o);
}

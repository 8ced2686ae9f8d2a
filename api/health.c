/* GET /api/v1/health: 200 with PostgreSQL and Redis up, 200 "degraded"
 * with Redis away (everything still answers from PostgreSQL), 503 with
 * Retry-After when PostgreSQL is away. */
#include "health.h"
#include "../fcgi/db.h"
#include "../fcgi/redis.h"
#include "../fcgi/http.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

void health_get(struct req *r)
{
    bool pg = db_ping(&r->c);
    bool redis = redis_ping(&r->c);
    json_t *checks = json_object();
    json_object_set_new(checks, "postgresql", json_string(pg ? "up" : "down"));
    json_object_set_new(checks, "redis", json_string(redis ? "up" : "down"));
    if (!pg) {
        json_t *ext = json_object();
        json_object_set_new(ext, "checks", checks);
        resp_header(r, "Retry-After", "5");
        resp_problem_ext(r, PROBLEM_DATABASE_UNAVAILABLE, SAY(r, "không kết nối được PostgreSQL", "PostgreSQL cannot be reached"), ext);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(redis ? "ok" : "degraded"));
    json_object_set_new(o, "checks", checks);
    resp_json(r, 200, o);
}

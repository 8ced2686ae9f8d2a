/* The registry of problems: see problem.h. */
#include "problem.h"
#include "arena.h"
#include "db.h"
#include "log.h"

#include <stdio.h>

#include <string.h>

static const struct problem *table;
static int count;

void problems_use(const struct problem *list, int n)
{
    table = list;
    count = n;
}

const struct problem *problem_get(int id)
{
    static const struct problem fallback = { "INTERNAL_ERROR", "internal-error", 500, NULL,
                                             "Lỗi máy chủ", "Internal server error" };
    return table && id >= 0 && id < count ? &table[id] : &fallback;
}

const struct problem *problem_by_sqlstate(const char *sqlstate)
{
    for (int i = 0; sqlstate && i < count; i++)
        if (table[i].sqlstate && strcmp(table[i].sqlstate, sqlstate) == 0)
            return &table[i];
    return NULL;
}

const struct problem *problems_all(int *n)
{
    *n = count;
    return table;
}

json_t *problem_json(const struct problem *p, const char *detail, const char *instance,
                     const char *request_id, json_t *ext, bool english)
{
    json_t *o = ext ? ext : json_object();
    char type[128];
    snprintf(type, sizeof type, "urn:qlvb:problem:%s", p->slug);
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "title", json_string(english ? p->title_en : p->title_vi));
    json_object_set_new(o, "status", json_integer(p->status));
    if (detail)
        json_object_set_new(o, "detail", json_string(detail));
    if (instance)
        json_object_set_new(o, "instance", json_string(instance));
    if (request_id)
        json_object_set_new(o, "request_id", json_string(request_id));
    return o;
}

const struct problem *problem_of_db_failure(const struct ctx *c, bool english, const char **detail)
{
    if (c->db_down) {
        *detail = english ? "the database cannot be reached; try again shortly"
                          : "không kết nối được cơ sở dữ liệu; hãy thử lại sau ít phút";
        return problem_get(PROBLEM_DATABASE_UNAVAILABLE);
    }
    if (db_failed_transiently(c)) {
        *detail = english ? "the database was busy with other work; try again shortly"
                          : "cơ sở dữ liệu đang bận việc khác; hãy thử lại sau ít phút";
        return problem_get(PROBLEM_DATABASE_BUSY);
    }
    const struct problem *p = problem_by_sqlstate(c->sqlstate);
    if (p) {
        /* a refusal SQL wrote in both languages (problem_raise) */
        *detail = !english && c->sqlmsg_vi ? c->sqlmsg_vi : c->sqlmsg;
        return p;
    }
    if (c->sqlstate && strncmp(c->sqlstate, "22", 2) == 0) {
        /* PostgreSQL's own words on a value it cannot take */
        *detail = english ? c->sqlmsg : arena_sprintf(c->a, "giá trị không hợp lệ: %s", c->sqlmsg ? c->sqlmsg : "");
        return problem_get(PROBLEM_INVALID_FIELD);
    }
    /* a unique violation no rule foresaw: the database layer leaves those
     * to the caller (some are expected), so an unexpected one is logged here */
    if (c->sqlstate && strcmp(c->sqlstate, DB_UNIQUE_VIOLATION) == 0)
        log_error(c->request_id, "msg=\"statement failed: internal error\" sqlstate=%s error=\"%.200s\"",
                  c->sqlstate, c->sqlmsg ? c->sqlmsg : "");
    *detail = english ? "the request could not be completed" : "không hoàn tất được yêu cầu";
    return problem_get(PROBLEM_INTERNAL_ERROR);
}

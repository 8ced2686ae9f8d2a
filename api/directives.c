/* Directives: see directives.h. */
#include "directives.h"
#include "audit.h"
#include "idempotency.h"
#include "schemas.h"
#include "sheet.h"
#include "validate.h"
#include "../cache/inbox_cache.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 20
#define LIST_MAX 100
#define EXPORT_MAX_LINES 20000

static const char *const export_heads[] = {
    "Số chỉ đạo", "Nội dung chỉ đạo", "Người chỉ đạo", "Cơ quan", "Vai trò", "Hạn xử lý", "Tình trạng",
    "Ngày hoàn thành", "Số ngày quá hạn",
};

static bool path_id_or_answer(struct req *r, int64_t *id)
{
    if (req_param_id(r, "id", id))
        return true;
    resp_problem(r, PROBLEM_DIRECTIVE_NOT_FOUND, SAY(r, "không có chỉ đạo này", "no such directive"));
    return false;
}

/* The period of the figures: from and to, local dates, from not after to
 * (by default the current year). */
static bool period_or_answer(struct req *r, const char **from, const char **to)
{
    *from = req_query(r, "from");
    *to = req_query(r, "to");
    if (!*from && !*to) {
        PGresult *res = DB_RUN0(&r->c, LOCAL_YEAR);
        if (!res) {
            resp_problem_db(r);
            return false;
        }
        *from = arena_sprintf(r->a, "%s-01-01", PQgetvalue(res, 0, 0));
        *to = arena_sprintf(r->a, "%s-12-31", PQgetvalue(res, 0, 0));
        return true;
    }
    if (!*from || !*to || !valid_date(*from) || !valid_date(*to) || strcmp(*from, *to) > 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     SAY(r, "from và to là ngày dạng YYYY-MM-DD, from không sau to",
                         "from and to are dates YYYY-MM-DD, from not after to"));
        return false;
    }
    return true;
}

struct create_run {
    struct req *r;
    const char *body;
};

static bool create_tx(struct ctx *c, void *arg)
{
    struct create_run *cr = arg;
    struct req *r = cr->r;
    inbox_cache_track(c);
    PGresult *res = DB_RUN(c, DIRECTIVE_CREATE, req_id_text(r, r->user_id), cr->body);
    if (!res)
        return false;
    int64_t id = db_ll(res, 0, 0);
    if (!audit(r, r->user_id, "directive.recorded", "directive", id, NULL))
        return false;
    PGresult *d = DB_RUN(c, DIRECTIVE_GET, req_id_text(r, r->user_id), req_id_text(r, id));
    if (!d)
        return false;
    resp_json_text(r, 201, arena_strdup(r->a, PQgetvalue(d, 0, 0)));
    return idem_keep_or_fail(r, c);
}

void directives_create(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_directive);
    if (!b)
        return;
    struct create_run cr = { r, jsonx_text(r->a, b) };
    if (!db_transaction(&r->c, create_tx, &cr))
        resp_problem_db(r);
}

void directives_get(struct req *r)
{
    int64_t id;
    if (!path_id_or_answer(r, &id))
        return;
    const char *u = req_id_text(r, r->user_id), *d = req_id_text(r, id);
    PGresult *res;
    if (!DB_RUN(&r->c, DIRECTIVE_OPENED, u, d) || !(res = DB_RUN(&r->c, DIRECTIVE_GET, u, d))) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_DIRECTIVE_NOT_FOUND, SAY(r, "không có chỉ đạo này", "no such directive"));
        return;
    }
    r->cache_control = "private, no-cache";
    resp_json_text(r, 200, PQgetvalue(res, 0, 0));
}

void directives_list(struct req *r)
{
    const char *order = req_query(r, "order"), *cur, *limit;
    if (order && strcmp(order, "newest") != 0 && strcmp(order, "overdue") != 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "order là newest hoặc overdue", "order is newest or overdue"));
        return;
    }
    if (!page_or_answer(r, LIST_DEFAULT, LIST_MAX, &cur, &limit))
        return;
    PGresult *res = DB_RUN(&r->c, DIRECTIVE_LIST, req_id_text(r, r->user_id), order ? order : "newest", cur, limit);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    resp_json_text(r, 200, PQgetvalue(res, 0, 0));
}

struct remind_run {
    struct req *r;
    const char *const *params;
};

static bool remind_tx(struct ctx *c, void *arg)
{
    struct remind_run *rr = arg;
    struct req *r = rr->r;
    inbox_cache_track(c);
    if (!db_exec(c, DB_STMT(DIRECTIVE_REMIND, 4), 4, rr->params) ||
        !audit(r, r->user_id, "directive.reminded", "directive", atoll(rr->params[1]), NULL))
        return false;
    PGresult *d = DB_RUN(c, DIRECTIVE_GET, rr->params[0], rr->params[1]);
    if (!d)
        return false;
    resp_json_text(r, 200, arena_strdup(r->a, PQgetvalue(d, 0, 0)));
    return idem_keep_or_fail(r, c);
}

void directives_remind(struct req *r)
{
    int64_t id;
    json_t *b;
    if (!path_id_or_answer(r, &id) || !(b = body_valid_or_answer(r, schema_directive_remind)))
        return;
    json_t *note = json_object_get(b, "note");
    const char *p[4] = { req_id_text(r, r->user_id), req_id_text(r, id),
                         json_string_value(json_object_get(b, "agency_code")),
                         note && json_is_string(note) ? json_string_value(note) : NULL };
    struct remind_run rr = { r, p };
    if (!db_transaction(&r->c, remind_tx, &rr))
        resp_problem_db(r);
}

void directives_stats(struct req *r)
{
    const char *from, *to;
    if (!period_or_answer(r, &from, &to))
        return;
    const char *u = req_id_text(r, r->user_id);
    PGresult *res = DB_RUN(&r->c, DIRECTIVE_STATS_KEPT, u, from, to);
    if (res && PQntuples(res) == 0)
        res = DB_RUN(&r->c, DIRECTIVE_STATS, u, from, to);
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    resp_json_text(r, 200, PQgetvalue(res, 0, 0));
}

void directives_overdue(struct req *r)
{
    const char *cur, *limit;
    if (!page_or_answer(r, LIST_DEFAULT, LIST_MAX, &cur, &limit))
        return;
    PGresult *res = DB_RUN(&r->c, DIRECTIVE_OVERDUE, req_id_text(r, r->user_id), limit, cur ? cur : "0");
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    resp_json_text(r, 200, PQgetvalue(res, 0, 0));
}

void directives_export(struct req *r)
{
    const char *from, *to, *format = req_query(r, "format");
    if (!format)
        format = "xlsx";
    if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER, SAY(r, "format là csv hoặc xlsx", "format is csv or xlsx"));
        return;
    }
    if (!period_or_answer(r, &from, &to))
        return;
    PGresult *res = DB_RUN(&r->c, DIRECTIVE_EXPORT, req_id_text(r, r->user_id), from, to,
                           arena_sprintf(r->a, "%d", EXPORT_MAX_LINES + 1));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQntuples(res) > EXPORT_MAX_LINES) {
        resp_problem(r, PROBLEM_INVALID_PARAMETER,
                     arena_sprintf(r->a, SAY(r, "khoảng thời gian có hơn %d dòng: hãy xuất theo các khoảng ngắn hơn",
                                          "the period holds more than %d lines: export it in shorter periods"),
                                   EXPORT_MAX_LINES));
        return;
    }
    struct sheet sh = { export_heads, 9, "Theo dõi chỉ đạo", arena_sprintf(r->a, "theo-doi-chi-dao-%s-%s", from, to) };
    sheet_answer(r, res, &sh, strcmp(format, "xlsx") == 0);
}

/* Phones and notifications: see notices.h. */
#include "notices.h"
#include "schemas.h"
#include "validate.h"
#include "../fcgi/db.h"
#include "../fcgi/http.h"
#include "../fcgi/jsonx.h"
#include "../sql/problems.h"
#include "../sql/statements.h"

#include <string.h>

#define NOTICES_DEFAULT 20
#define NOTICES_MAX 100

static void answer(struct req *r, PGresult *res, int status)
{
    if (!res) {
        resp_problem_db(r);
        return;
    }
    r->cache_control = "private, no-cache";
    const char *body = PQgetvalue(res, 0, 0);
    resp_json_text(r, status, body);
}

void devices_put(struct req *r)
{
    const char *dev = req_param(r, "device_id");
    json_t *b = body_valid_or_answer(r, schema_device);
    if (!b)
        return;
    const char *p[4] = { req_id_text(r, r->user_id), req_id_text(r, r->session_id), dev, jsonx_text(r->a, b) };
    answer(r, DB_RUNA(&r->c, DEVICE_PUT, p), 200);
}

void devices_delete(struct req *r)
{
    PGresult *res = DB_RUN(&r->c, DEVICE_DELETE, req_id_text(r, r->user_id), req_param(r, "device_id"));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (strcmp(PQcmdTuples(res), "0") == 0) {
        resp_problem(r, PROBLEM_DEVICE_NOT_FOUND, SAY(r, "bạn không có thiết bị này", "you have no such device"));
        return;
    }
    resp_raw(r, 204, NULL, NULL, 0);
}

void devices_list(struct req *r)
{
    answer(r, DB_RUN(&r->c, DEVICES_LIST, req_id_text(r, r->user_id)), 200);
}

void notice_settings_get(struct req *r)
{
    answer(r, DB_RUN(&r->c, NOTICE_SETTINGS_GET, req_id_text(r, r->user_id)), 200);
}

void notice_settings_put(struct req *r)
{
    json_t *b = body_valid_or_answer(r, schema_notice_settings);
    if (!b)
        return;
    answer(r, DB_RUN(&r->c, NOTICE_SETTINGS_PUT, req_id_text(r, r->user_id), jsonx_text(r->a, b)), 200);
}

void notices_list(struct req *r)
{
    const char *cur, *limit;
    if (!page_or_answer(r, NOTICES_DEFAULT, NOTICES_MAX, &cur, &limit))
        return;
    answer(r, DB_RUN(&r->c, NOTICES_PAGE, req_id_text(r, r->user_id), cur, limit), 200);
}

void notices_changes(struct req *r)
{
    const char *since = req_query(r, "since");
    int limit;
    if (!limit_or_answer(r, NOTICES_MAX, NOTICES_MAX, &limit))
        return;
    PGresult *res = DB_RUN(&r->c, NOTICES_SINCE, req_id_text(r, r->user_id), since, arena_sprintf(r->a, "%d", limit));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_SYNC_TOKEN_EXPIRED,
                     SAY(r, "since không phải token do API này cấp: hãy tải lại danh sách thông báo",
                         "since is not a token this API gave: reload the notifications"));
        return;
    }
    answer(r, res, 200);
}

void notices_read(struct req *r)
{
    int64_t id;
    if (!req_param_id(r, "id", &id)) {
        resp_problem(r, PROBLEM_NOTIFICATION_NOT_FOUND, SAY(r, "không có thông báo này", "no such notification"));
        return;
    }
    PGresult *res = DB_RUN(&r->c, NOTICE_READ, req_id_text(r, r->user_id), req_id_text(r, r->session_id),
                           req_id_text(r, id));
    if (!res) {
        resp_problem_db(r);
        return;
    }
    if (PQgetisnull(res, 0, 0)) {
        resp_problem(r, PROBLEM_NOTIFICATION_NOT_FOUND, SAY(r, "không có thông báo này", "no such notification"));
        return;
    }
    answer(r, res, 200);
}
